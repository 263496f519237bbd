import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ConfigResourceTypes, ConfigSource, Kafka, logLevel, type Admin } from 'kafkajs';
import { TOPICS, topicName } from '@hookpost/contracts';
import { ROOT } from '../support/processes';
import { stackEnv, TestSystem } from '../support/system';

/** Each topic's min.insync.replicas and retention.ms as the broker describes them, with their sources. */
async function describeTopics(admin: Admin, topics: string[]) {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  return new Map(
    resources.map((r) => {
      const entry = (name: string) => {
        const e = r.configEntries.find((c) => c.configName === name);
        return { value: e?.configValue, topicLevel: e?.configSource === ConfigSource.TOPIC_CONFIG };
      };
      return [r.resourceName, { minInsync: entry('min.insync.replicas'), retention: entry('retention.ms') }];
    }),
  );
}

/** Runs provisioning (topics, min.insync.replicas, migrations) once more with the system's environment. */
function provision(system: TestSystem, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(ROOT, 'dist', 'apps', 'provision', 'src', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...system.env, LOG_LEVEL: 'info', ...env },
    encoding: 'utf8',
  });
}

describe('provisioning sets min.insync.replicas on every topic (single broker: replication factor 1)', () => {
  const prefix = `e2e-${randomBytes(4).toString('hex')}.`;
  const upgraded = topicName(prefix, TOPICS.deliveries);
  const bare = topicName(prefix, TOPICS.webhookEvents);
  let admin: Admin;
  let system: TestSystem;
  let topics: string[];

  beforeAll(async () => {
    const kafka = new Kafka({
      clientId: 'hookpost-e2e-durability',
      brokers: stackEnv().KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
    // Topics of an earlier version, there before provisioning runs: one with another min.insync.replicas
    // (and a retention of its own), one without a topic-level min.insync.replicas.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: upgraded,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [
            { name: 'min.insync.replicas', value: '2' },
            { name: 'retention.ms', value: '123456789' },
          ],
        },
        { topic: bare, numPartitions: 3, replicationFactor: 1 },
      ],
    });
    system = await TestSystem.start({ env: { KAFKA_TOPIC_PREFIX: prefix }, services: [] });
    topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
  }, 120_000);

  afterAll(async () => {
    await admin?.disconnect();
    await system?.stop();
  }, 60_000);

  it('given a new deployment, then every topic it created has min.insync.replicas=1 as a topic config', async () => {
    assert.ok(topics.length >= 9, `topics: ${topics.join(', ')}`);
    const configs = await describeTopics(admin, topics);
    for (const topic of topics) {
      assert.deepEqual(configs.get(topic)?.minInsync, { value: '1', topicLevel: true }, topic);
    }
    // The topic's other configs stay as created: the rejected events' retention.
    assert.deepEqual(configs.get(topicName(prefix, TOPICS.mailEventsRejected))?.retention, {
      value: String(30 * 24 * 3600 * 1000),
      topicLevel: true,
    });
  });

  it('given existing topics with another value or none, then both get it, and their other configs stay', async () => {
    const configs = await describeTopics(admin, [upgraded, bare]);
    assert.deepEqual(configs.get(upgraded), {
      minInsync: { value: '1', topicLevel: true },
      retention: { value: '123456789', topicLevel: true },
    });
    assert.deepEqual(configs.get(bare)?.minInsync, { value: '1', topicLevel: true });
    assert.equal(configs.get(bare)?.retention.topicLevel, false);
  });

  it('given provisioning run again, then it changes nothing', () => {
    const again = provision(system);
    assert.equal(again.status, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /min\.insync\.replicas set \(0 topics changed\)/);
  });

  it('given KAFKA_MIN_INSYNC_REPLICAS above the replication factor, then it fails naming both, and changes nothing', async () => {
    const run = provision(system, { KAFKA_MIN_INSYNC_REPLICAS: '2' });
    assert.notEqual(run.status, 0);
    assert.match(
      run.stdout + run.stderr,
      /min\.insync\.replicas=2 for topic \S+ with replication factor 1: every acks=all write would be refused/,
    );
    const configs = await describeTopics(admin, topics);
    for (const topic of topics) assert.equal(configs.get(topic)?.minInsync.value, '1', topic);
  });
});
