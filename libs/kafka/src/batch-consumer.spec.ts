import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from '@jest/globals';
import { pino } from 'pino';
import { BatchConsumer, type BatchConsumerOptions } from './batch-consumer';
import { ScriptedConsumer } from './testing/scripted-consumer';

const logger = pino({ level: 'silent' });

/** A batch consumer of topic `t` over a scripted consumer, preparing each batch as its values. */
function batchConsumer(overrides: Partial<BatchConsumerOptions<string[]>> = {}) {
  const consumer = new ScriptedConsumer();
  const written: string[][] = [];
  const batches = new BatchConsumer<string[]>({
    kafka: consumer.kafka,
    groupId: 'g',
    topic: 't',
    logger,
    name: 'test',
    commitIntervalMs: 60_000,
    prepare: (messages) => messages.map((m) => String(m.value)),
    write: async (values) => void written.push(values),
    ...overrides,
  });
  return { consumer, batches, written };
}

describe('BatchConsumer on the loop', () => {
  it('given a batch being written, when stopped, then the write ends, its offsets are committed, and only then does the consumer leave', async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { consumer, batches } = batchConsumer({
      write: async () => {
        await gate;
        consumer.calls.push('written');
      },
    });
    await batches.start();
    const delivered = consumer.deliver('t', 1, 5, ['a', 'b']);
    await sleep(5);
    const stopped = batches.stop();
    await sleep(20);
    assert.deepEqual(consumer.calls, ['connect', 'pause t']);
    release();
    await Promise.all([delivered, stopped]);
    assert.deepEqual(consumer.calls, ['connect', 'pause t', 'written', 'commit t:1@7', 'disconnect']);
    assert.equal(batches.isRunning, false);
  });

  it('given a write that fails, then it is retried with the same prepared batch, and committed once written', async () => {
    let prepared = 0;
    let tries = 0;
    const { consumer, batches } = batchConsumer({
      prepare: (messages) => (prepared++, messages.map((m) => String(m.value))),
      write: async () => {
        if (++tries < 3) throw new Error('database unreachable');
      },
    });
    await batches.start();
    await consumer.deliver('t', 0, 0, ['a']);
    await batches.stop();
    assert.equal(tries, 3);
    assert.equal(prepared, 1);
    assert.deepEqual(consumer.calls.slice(-2), ['commit t:0@1', 'disconnect']);
  });

  it('given a write failing when the stop begins, then it is not retried and the batch stays uncommitted', async () => {
    let fail = () => undefined as void;
    let tries = 0;
    const { consumer, batches } = batchConsumer({
      write: () => {
        tries++;
        return new Promise<void>((_, reject) => (fail = () => reject(new Error('shutting down'))));
      },
    });
    await batches.start();
    const delivered = consumer.deliver('t', 0, 0, ['a']);
    await sleep(5);
    const stopped = batches.stop();
    fail();
    await Promise.all([delivered, stopped]);
    assert.equal(tries, 1);
    assert.deepEqual(consumer.calls, ['connect', 'pause t', 'disconnect']);
  });

  it('given partitions it does not own, then their batches are paused unread, and each written batch is reported', async () => {
    const reported: Array<[number, string, string[]]> = [];
    const { consumer, batches, written } = batchConsumer({
      ownsPartition: (partition) => partition % 2 === 0,
      onBatch: (partition, lastOffset, values) => reported.push([partition, lastOffset, values]),
    });
    await batches.start();
    await consumer.deliver('t', 1, 0, ['other']);
    await consumer.deliver('t', 2, 3, ['mine', 'too']);
    await batches.stop();
    assert.deepEqual(written, [['mine', 'too']]);
    assert.deepEqual(reported, [[2, '4', ['mine', 'too']]]);
    assert.deepEqual(consumer.calls, ['connect', 'pause t:1', 'pause t', 'commit t:2@5', 'disconnect']);
  });
});
