import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from '@jest/globals';
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import { DelayConsumer, type Release } from './delay-consumer';
import type { BatchingProducer, OutgoingRecord } from './producer';
import { ScriptedConsumer } from './testing/scripted-consumer';

const logger = pino({ level: 'silent' });
const NOW = 1_770_000_000_000;

/** Messages say when they are due: `job@<ms after NOW>`; anything else is due at once. */
function release(message: KafkaMessage, _ctx: unknown, now: number): Release {
  const text = String(message.value);
  const dueAt = NOW + Number(text.split('@')[1] ?? 0);
  return dueAt > now ? { dueAt } : { records: [{ topic: 'deliveries', message: { value: text } }] };
}

function harness(now = () => NOW) {
  const consumer = new ScriptedConsumer();
  const sent: string[] = [];
  const acks: Array<() => void> = [];
  const producer = {
    send: (records: OutgoingRecord[]) => {
      sent.push(...records.map((r) => String(r.message.value)));
      return new Promise<void>((resolve) => acks.push(resolve));
    },
  } as unknown as BatchingProducer;
  const waiting: number[] = [];
  const delays = new DelayConsumer({
    kafka: consumer.kafka,
    producer,
    groupId: 'g',
    topics: ['retry.10m'],
    release,
    logger,
    commitIntervalMs: 60_000,
    onWaiting: (_topic, _partition, n) => waiting.push(n),
    now,
  });
  const ackAll = () => acks.splice(0).forEach((ack) => ack());
  return { consumer, delays, sent, waiting, ackAll };
}

describe('DelayConsumer', () => {
  it('given due jobs before one that is not, then the due ones are released, the partition is read again from the waiting one and paused until it is due', async () => {
    let now = NOW;
    const { consumer, delays, sent, waiting, ackAll } = harness(() => now);
    await delays.start();
    await consumer.deliver('retry.10m', 0, 20, ['a', 'b', 'c@40', 'd@50']);
    assert.deepEqual(sent, ['a', 'b']);
    assert.deepEqual(waiting, [2], 'c and d wait');
    assert.deepEqual(consumer.calls.slice(1), ['seek retry.10m:0@22', 'pause retry.10m:0']);
    assert.equal(await consumer.deliver('retry.10m', 0, 22, ['c@40']), false, 'paused');
    now = NOW + 40;
    await sleep(80);
    assert.equal(consumer.calls.at(-1), 'resume retry.10m:0');
    ackAll();
    await delays.stop();
    assert.deepEqual(consumer.calls.slice(-2), ['commit retry.10m:0@22', 'disconnect']);
  });

  it('given a partition paused until due, when stopped, then it is never resumed after the stop', async () => {
    const { consumer, delays } = harness();
    await delays.start();
    await consumer.deliver('retry.10m', 1, 0, ['x@30']);
    await delays.stop();
    await sleep(60);
    assert.ok(!consumer.calls.some((c) => c.startsWith('resume')), consumer.calls.join(', '));
    assert.equal(consumer.calls.at(-1), 'disconnect');
  });

  it('given released jobs not yet acknowledged, when stopped, then the stop waits for the acknowledgement, commits them, and nothing after the stop is released', async () => {
    const { consumer, delays, sent, ackAll } = harness();
    await delays.start();
    await consumer.deliver('retry.10m', 0, 0, ['a', 'b']);
    const stopped = delays.stop();
    consumer.unpause('retry.10m');
    await consumer.deliver('retry.10m', 0, 2, ['after the stop']);
    await sleep(20);
    assert.deepEqual(consumer.calls.slice(1), ['pause retry.10m'], 'no commit before the acknowledgement');
    ackAll();
    await stopped;
    assert.deepEqual(sent, ['a', 'b']);
    assert.deepEqual(consumer.calls.slice(1), ['pause retry.10m', 'commit retry.10m:0@2', 'disconnect']);
  });
});
