/**
 * A graceful stop commits what the consumer finished, against the real broker. kafkajs' `stop` leaves
 * the group, and a member that left cannot commit: a commit made after it is refused, and the next
 * owner does the work again. The commit interval here is a minute, so the only commit that can happen
 * is the one the stop makes.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { pino } from 'pino';
import { TOPICS } from '@hookpost/contracts';
import { BatchingProducer, ConcurrentConsumer, TransformConsumer } from '@hookpost/kafka';
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

  const committed = async (groupId: string, topic: string): Promise<number> => {
    const admin = system.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  };

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
    const consumer = new TransformConsumer({
      kafka: system.kafka,
      producer,
      groupId,
      topic,
      logger,
      commitIntervalMs: 60_000,
      transform: (message) => {
        produced++;
        return [{ topic: out, message: { key: message.key, value: message.value } }];
      },
    });
    await consumer.start();
    await until(() => produced === COUNT, 'every message transformed');
    await sleep(300); // the last batch's records acknowledged: its offsets are pending
    await consumer.stop();
    assert.equal(await committed(groupId, topic), COUNT);
  });

  it('given a concurrent consumer that handled everything, when stopped, then every offset is committed', async () => {
    const topic = await input(TOPICS.deliveries);
    const groupId = `${system.topic('stop-concurrent')}`;
    let handled = 0;
    const consumer = new ConcurrentConsumer({
      kafka: system.kafka,
      groupId,
      topics: [topic],
      maxInFlight: 10,
      logger,
      commitIntervalMs: 60_000,
      handle: async () => {
        await sleep(5);
        handled++;
      },
    });
    await consumer.start();
    await until(() => handled === COUNT, 'every message handled');
    await consumer.stop(5000);
    assert.equal(await committed(groupId, topic), COUNT);
  });
});
