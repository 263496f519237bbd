/**
 * A graceful stop commits what the consumer finished, against the real broker. kafkajs' `stop` leaves
 * the group, and a member that left cannot commit: a commit made after it is refused, and the next
 * owner does the work again. The commit interval here is a minute, so the only commit that can happen
 * is the one the stop makes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { pino } from 'pino';
import { retryTopicBase, TOPICS } from '@hookpost/contracts';
import {
  BatchingProducer,
  ConcurrentConsumer,
  DelayConsumer,
  TransformConsumer,
  type Transform,
} from '@hookpost/kafka';
import { BatchConsumer } from '@hookpost/kafka/batch-consumer';
import { TestSystem } from '../support/system';

const COUNT = 60;
const logger = pino({ level: 'silent' });

describe('graceful consumer stop', () => {
  let system: TestSystem;
  let producer: BatchingProducer;

  beforeAll(async () => {
    system = await TestSystem.start({ services: [] });
    producer = new BatchingProducer(system.kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await system?.stop();
  });

  const input = async (base: string) => {
    const topic = system.topic(base);
    await producer.send(
      Array.from({ length: COUNT }, (_, i) => ({ topic, message: { key: `k${i}`, value: `v${i}` } })),
    );
    return topic;
  };

  /** The group's committed offset of each partition (-1: none). */
  const committedOffsets = async (groupId: string, topic: string): Promise<Map<number, number>> => {
    const admin = system.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map(offsets.partitions.map((p) => [p.partition, Number(p.offset)]));
    } finally {
      await admin.disconnect();
    }
  };
  const committed = async (groupId: string, topic: string): Promise<number> =>
    [...(await committedOffsets(groupId, topic)).values()].reduce((n, o) => n + Math.max(0, o), 0);

  /** A transform consumer whose only commits are its stop's (the interval is a minute). */
  const transformConsumer = (groupId: string, topic: string, transform: Transform, die?: () => void) =>
    new TransformConsumer({
      kafka: system.kafka,
      producer,
      groupId,
      topic,
      logger,
      commitIntervalMs: 60_000,
      transform,
      die,
    });

  /** A concurrent consumer of ten in flight whose only commits are its stop's. */
  const concurrentConsumer = (groupId: string, topic: string, handle: () => Promise<void>) =>
    new ConcurrentConsumer({
      kafka: system.kafka,
      groupId,
      topics: [topic],
      maxInFlight: 10,
      logger,
      commitIntervalMs: 60_000,
      handle,
    });

  const until = async (done: () => boolean | Promise<boolean>, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  it('given a transform consumer that produced everything, when stopped, then every input offset is committed', async () => {
    const topic = await input(TOPICS.mailEvents);
    const out = system.topic(TOPICS.webhookEvents);
    const groupId = `${system.topic('stop-transform')}`;
    let produced = 0;
    const consumer = transformConsumer(groupId, topic, (message) => {
      produced++;
      return [{ topic: out, message: { key: message.key, value: message.value } }];
    });
    await consumer.start();
    await until(() => produced === COUNT, 'every message transformed');
    // No wait for the last batch's acknowledgement: fetching does not wait for it, the stop does.
    await consumer.stop();
    assert.equal(await committed(groupId, topic), COUNT);
  });

  it('given a batch whose output the broker refuses, when later batches are acknowledged, then nothing past it is committed and the consumer dies', async () => {
    const topic = await input(TOPICS.webhookEventsRedacted);
    const out = system.topic(TOPICS.webhookEvents);
    const later = system.topic(TOPICS.deliveriesDead);
    const groupId = `${system.topic('stop-failed-send')}`;
    let produced = 0;
    let died = 0;
    let refused: { partition: number; offset: number } | null = null;
    const consumer = transformConsumer(
      groupId,
      topic,
      (message, ctx) => {
        produced++;
        // One record over the topic's max.message.bytes (2 MiB): the broker answers MESSAGE_TOO_LARGE.
        // Random bytes: batches are LZ4-compressed, and a repeated character would shrink below the limit.
        if (String(message.value) === 'v7') {
          refused = { partition: ctx.partition, offset: Number(message.offset) };
          return [{ topic: out, message: { key: message.key, value: randomBytes(3 * 1024 * 1024) } }];
        }
        // Later input goes to another topic: the idempotent producer's sequence of the refused record's
        // partition is broken (every later request touching it fails too), another topic's is not.
        const to = String(message.value).startsWith('later') ? later : out;
        return [{ topic: to, message: { key: message.key, value: message.value } }];
      },
      () => died++,
    );
    await consumer.start();
    await until(() => died === 1, 'the failed send to stop the consumer');
    // More input after the failure: its batches are produced and acknowledged, and must not commit.
    await producer.send(
      Array.from({ length: COUNT }, (_, i) => ({ topic, message: { key: `k${i}`, value: `later${i}` } })),
    );
    await until(() => produced === 2 * COUNT, 'the later messages transformed');
    await sleep(500);
    await consumer.stop();
    assert.ok(refused);
    const { partition, offset } = refused as { partition: number; offset: number };
    const committedAt = (await committedOffsets(groupId, topic)).get(partition) ?? -1;
    assert.ok(committedAt <= offset, `committed ${committedAt} past the refused offset ${offset}`);
    const total = await committed(groupId, topic);
    assert.ok(total < COUNT, `committed ${total} offsets, some of them after the failure`);
    assert.equal(died, 1);
  });

  it('given a concurrent consumer that handled everything, when stopped, then every offset is committed', async () => {
    const topic = await input(TOPICS.deliveries);
    const groupId = `${system.topic('stop-concurrent')}`;
    let handled = 0;
    const consumer = concurrentConsumer(groupId, topic, async () => {
      await sleep(5);
      handled++;
    });
    await consumer.start();
    await until(() => handled === COUNT, 'every message handled');
    await consumer.stop(5000);
    assert.equal(await committed(groupId, topic), COUNT);
  });

  it('given a batch consumer stopped while a batch is being written, then the write finishes first and every written offset is committed', async () => {
    const topic = await input(TOPICS.deliveryAttempts);
    const groupId = `${system.topic('stop-batch')}`;
    let written = 0;
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let writing = false;
    const consumer = new BatchConsumer<number>({
      kafka: system.kafka,
      groupId,
      topic,
      logger,
      name: 'test',
      commit: true,
      commitIntervalMs: 60_000,
      prepare: (messages) => messages.length,
      write: async (count) => {
        writing = true;
        await gate; // the stop begins while this batch is being written
        written += count;
      },
    });
    await consumer.start();
    await until(() => writing, 'a batch being written');
    const stopped = consumer.stop();
    await sleep(200);
    assert.equal(written, 0, 'the stop waits for the write');
    release();
    await stopped;
    assert.ok(written > 0);
    assert.equal(await committed(groupId, topic), written);
  });

  it('given a concurrent consumer with handlers in flight, when stopped, then they finish, exactly their offsets are committed, and nothing after the stop is handled', async () => {
    const topic = await input(TOPICS.deliveryAttempts);
    const groupId = `${system.topic('stop-in-flight')}`;
    let started = 0;
    let finished = 0;
    let letGo = () => undefined as void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    const consumer = concurrentConsumer(groupId, topic, async () => {
      started++;
      await gate;
      await sleep(20); // still running when the stop is waiting for it
      finished++;
    });
    await consumer.start();
    await until(() => started === 10, 'ten handlers in flight');
    const stopped = consumer.stop(10_000);
    letGo();
    await stopped;
    assert.equal(finished, 10, 'the stop waited for the handlers in flight');
    await sleep(500);
    assert.equal(started, 10, 'nothing was started after the stop');
    // Each partition's messages start in order: what finished is a prefix of every partition.
    assert.equal(await committed(groupId, topic), 10);
  });

  it('given a delay consumer whose partition waits on a job not due, when stopped, then the due jobs before it are released and committed, and neither it nor anything behind it', async () => {
    const topic = system.topic(retryTopicBase('10m'));
    const out = system.topic(retryTopicBase('15m'));
    const groupId = `${system.topic('stop-delay')}`;
    const hourAhead = Date.now() + 3_600_000;
    // One key: one partition, in due order as a delay topic's partitions are.
    const values = [...Array.from({ length: 20 }, (_, i) => `due-${i}`), 'later', 'due-behind'];
    await producer.send(values.map((value) => ({ topic, message: { key: 'one', value } })));
    const released: string[] = [];
    const delays = new DelayConsumer({
      kafka: system.kafka,
      producer,
      groupId,
      topics: [topic],
      logger,
      commitIntervalMs: 60_000,
      release: (message) => {
        const value = String(message.value);
        if (value === 'later') return { dueAt: hourAhead };
        released.push(value);
        return { records: [{ topic: out, message: { key: 'one', value } }] };
      },
    });
    await delays.start();
    await until(() => released.length === 20, 'the due jobs released');
    await delays.stop();
    assert.deepEqual(released, values.slice(0, 20));
    // The topic holds this test's jobs only: the waiting job's offset (20) is committed, nothing past it.
    const offsets = [...(await committedOffsets(groupId, topic)).values()].filter((o) => o >= 0);
    assert.deepEqual(offsets, [20]);
  });
});
