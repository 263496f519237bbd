import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from '@jest/globals';
import { pino } from 'pino';
import { ConcurrentConsumer, HandBack } from './concurrent-consumer';
import { ConsumerLoop } from './consumer-loop';
import type { BatchingProducer, OutgoingRecord } from './producer';
import { ScriptedConsumer } from './testing/scripted-consumer';
import { TransformConsumer } from './transform-consumer';

const logger = pino({ level: 'silent' });
const FETCH = { minBytes: 1, maxWaitTimeInMs: 100 };

/** A promise and its resolution, to hold a handler or a send until the test lets it go. */
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A loop of group `g` on topic `t`, over a scripted consumer. */
function scriptedLoop() {
  const consumer = new ScriptedConsumer();
  const loop = new ConsumerLoop({ kafka: consumer.kafka, groupId: 'g', topics: ['t'], logger, fetch: FETCH });
  return { consumer, loop };
}

describe('ConsumerLoop.stop: drain, then commit, then leave', () => {
  it('given a batch under way, when stopped, then the topics are paused, the batch ends, settle runs, the finished offsets are committed, and only then does the consumer disconnect', async () => {
    const { consumer, loop } = scriptedLoop();
    const held = deferred();
    await loop.start(async ({ batch }) => {
      await held.promise;
      loop.commits.done(batch.topic, batch.partition, batch.lastOffset());
      consumer.calls.push('batch done');
    });
    const delivered = consumer.deliver('t', 0, 0, ['a', 'b', 'c']);
    await sleep(5);
    const stopped = loop.stop(async () => {
      consumer.calls.push('settle');
    });
    assert.equal(loop.stopping, true);
    assert.equal(loop.isRunning, false);
    await sleep(20);
    assert.deepEqual(
      consumer.calls,
      ['connect', 'pause t'],
      'nothing committed while the batch is under way',
    );
    held.resolve();
    await Promise.all([delivered, stopped]);
    assert.deepEqual(consumer.calls, [
      'connect',
      'pause t',
      'batch done',
      'settle',
      'commit t:0@3',
      'disconnect',
    ]);
  });

  it('given a stop, when kafkajs still hands over a batch it had fetched, then it is not handled', async () => {
    const { consumer, loop } = scriptedLoop();
    let handled = 0;
    await loop.start(async () => {
      handled++;
    });
    const stopping = loop.stop();
    // kafkajs hands batches of paused partitions over no more; the loop refuses them anyway.
    consumer.unpause('t');
    const before = consumer.calls.length;
    await consumer.deliver('t', 0, 0, ['late']);
    await stopping;
    assert.equal(handled, 0);
    assert.equal(consumer.calls.length, before + 1); // the disconnect: no commit, nothing read
  });

  it('given a stop under way, when stopped again, then it is the same stop (one commit, one disconnect)', async () => {
    const { consumer, loop } = scriptedLoop();
    await loop.start(async ({ batch }) =>
      loop.commits.done(batch.topic, batch.partition, batch.lastOffset()),
    );
    await consumer.deliver('t', 0, 4, ['a']);
    await Promise.all([loop.stop(), loop.stop()]);
    assert.deepEqual(consumer.calls, ['connect', 'pause t', 'commit t:0@5', 'disconnect']);
  });
});

describe('ConcurrentConsumer on the loop', () => {
  const concurrent = (consumer: ScriptedConsumer, handle: (value: string) => Promise<void>) =>
    new ConcurrentConsumer({
      kafka: consumer.kafka,
      groupId: 'g',
      topics: ['t'],
      maxInFlight: 2,
      logger,
      commitIntervalMs: 60_000,
      handle: (message) => handle(String(message.value)),
    });

  it('given two messages in flight and more waiting for a slot, when stopped, then the two finish and are committed, and none after them starts', async () => {
    const consumer = new ScriptedConsumer();
    const started: string[] = [];
    const release = deferred();
    const c = concurrent(consumer, async (value) => {
      started.push(value);
      await release.promise;
    });
    await c.start();
    const delivered = consumer.deliver('t', 0, 0, ['m0', 'm1', 'm2', 'm3', 'm4']);
    await until(() => started.length === 2, 'two messages in flight');
    const stopped = c.stop(5000);
    await sleep(20);
    release.resolve();
    await Promise.all([delivered, stopped]);
    assert.deepEqual(started, ['m0', 'm1']);
    assert.deepEqual(consumer.calls.slice(-2), ['commit t:0@2', 'disconnect']);
  });

  it('given a message handed back at the stop between two that finished, then the commit stops below it', async () => {
    const consumer = new ScriptedConsumer();
    const gates = new Map<string, Deferred>();
    const c = new ConcurrentConsumer({
      kafka: consumer.kafka,
      groupId: 'g',
      topics: ['t'],
      maxInFlight: 3,
      logger,
      commitIntervalMs: 60_000,
      handle: async (message) => {
        const gate = deferred();
        gates.set(String(message.value), gate);
        await gate.promise;
      },
    });
    await c.start();
    await consumer.deliver('t', 0, 10, ['a', 'b', 'c']);
    await until(() => gates.size === 3, 'three in flight');
    const stopped = c.stop(5000);
    gates.get('a')!.resolve();
    gates.get('b')!.reject(new HandBack());
    gates.get('c')!.resolve();
    await stopped;
    assert.deepEqual(consumer.calls.slice(-2), ['commit t:0@11', 'disconnect']);
  });

  it('given the group joined again while a message was in flight, when it finishes, then its offset is not committed (the new assignment starts from the committed offsets)', async () => {
    const consumer = new ScriptedConsumer();
    const gate = deferred();
    const c = concurrent(consumer, () => gate.promise);
    await c.start();
    await consumer.deliver('t', 0, 0, ['a']);
    consumer.joinGroup();
    gate.resolve();
    await c.stop(5000);
    assert.deepEqual(consumer.calls.slice(-2), ['pause t', 'disconnect']);
  });
});

describe('TransformConsumer on the loop', () => {
  it('given a batch whose outputs are not acknowledged yet, when stopped, then the stop waits for the acknowledgement and commits after it', async () => {
    const consumer = new ScriptedConsumer();
    const ack = deferred();
    const sent: OutgoingRecord[][] = [];
    const producer = {
      send: (records: OutgoingRecord[]) => {
        sent.push(records);
        return ack.promise.then(() => void consumer.calls.push('acknowledged'));
      },
    } as unknown as BatchingProducer;
    const t = new TransformConsumer({
      kafka: consumer.kafka,
      producer,
      groupId: 'g',
      topic: 'in',
      logger,
      commitIntervalMs: 60_000,
      transform: (message) => [{ topic: 'out', message: { value: message.value } }],
    });
    await t.start();
    await consumer.deliver('in', 2, 7, ['a', 'b']);
    assert.equal(sent[0].length, 2, 'fetching does not wait for the acknowledgement');
    const stopped = t.stop();
    await sleep(20);
    assert.deepEqual(consumer.calls, ['connect', 'pause in']);
    ack.resolve();
    await stopped;
    assert.deepEqual(consumer.calls, ['connect', 'pause in', 'acknowledged', 'commit in:2@9', 'disconnect']);
  });
});
