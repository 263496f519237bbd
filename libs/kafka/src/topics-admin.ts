import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';
import type { TopicSpec } from '@hookpost/contracts';
import {
  MIN_INSYNC_REPLICAS,
  minInsyncReplicas,
  minInsyncReplicasProblem,
  withMinInsyncReplicas,
} from '@hookpost/domain';

export interface EnsureTopicsOptions {
  /** Replicas of each partition of a topic created now; default: the broker's default.replication.factor. */
  replicationFactor?: number;
  leaderTimeoutMs?: number;
}

/** Creates the topics that do not exist yet; existing ones are left as they are. Returns the created names. */
export async function ensureTopics(
  kafka: Kafka,
  specs: TopicSpec[],
  { replicationFactor = -1, leaderTimeoutMs = 60_000 }: EnsureTopicsOptions = {},
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: false, // waitForLeaders below, which tolerates what kafkajs's does not
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor,
          configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForLeaders(
        admin,
        missing.map((s) => s.name),
        leaderTimeoutMs,
      );
    }
    return missing.map((s) => s.name);
  } finally {
    await admin.disconnect();
  }
}

/** What metadata may answer for a topic created a moment ago, until the broker has caught up. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Waits until every partition of the topics has a leader. kafkajs's `createTopics({waitForLeaders})`
 * gives up on UNKNOWN_TOPIC_OR_PARTITION, which a busy broker answers for a just-created topic
 * (tulios/kafkajs#1222), so provisioning failed now and then although the topics were created.
 */
export async function waitForLeaders(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topics: string[],
  timeoutMs: number,
  pollMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const led = found.filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led.length === topics.length) return;
    } catch (err) {
      const { type, cause } = err as { type?: string; cause?: { type?: string } };
      if (!SETTLING.has(type ?? cause?.type ?? '')) throw err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`topics without a leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    }
    await sleep(pollMs);
  }
}

/**
 * The `max.message.bytes` each topic enforces (its own setting, or the broker's `message.max.bytes` it
 * inherits), as the broker describes it: the largest record batch it accepts. Asked at start-up by a
 * service that must check what it produces; throws (the service does not start) when the broker does not
 * answer for a topic.
 */
export async function topicMaxMessageBytes(kafka: Kafka, topics: string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['max.message.bytes'],
      })),
    });
    const limits = new Map<string, number>();
    for (const resource of resources) {
      const entry = resource.configEntries.find((e) => e.configName === 'max.message.bytes');
      const bytes = Number(entry?.configValue);
      if (resource.errorCode !== 0 || !Number.isSafeInteger(bytes) || bytes <= 0) {
        throw new Error(
          `max.message.bytes of ${resource.resourceName}: ${resource.errorMessage || `got ${entry?.configValue}`}`,
        );
      }
      limits.set(resource.resourceName, bytes);
    }
    const missing = topics.filter((t) => !limits.has(t));
    if (missing.length > 0) throw new Error(`max.message.bytes not described for ${missing.join(', ')}`);
    return limits;
  } finally {
    await admin.disconnect();
  }
}

/** A topic whose min.insync.replicas provisioning set: its replication factor, the value before and now. */
export interface MinInsyncChange {
  topic: string;
  replicationFactor: number;
  /** The topic's own value before (null: none, the broker's default applied). */
  from: string | null;
  to: number;
}

/**
 * Sets min.insync.replicas on each topic, as a topic-level config: `minInsync` when given, else the value
 * for the topic's replication factor (minInsyncReplicas). Topics that already have that value are left
 * alone; the others get it with their other topic-level configs kept (AlterConfigs replaces them all).
 * Fails, changing nothing, when a value exceeds a topic's replication factor. Returns what it changed.
 */
export async function ensureMinInsyncReplicas(
  kafka: Kafka,
  topics: string[],
  minInsync?: number,
  appliedTimeoutMs = 60_000,
): Promise<MinInsyncChange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    // A partition's replica list is the replication factor; the smallest of them, should they differ.
    const replicationFactors = new Map(
      metadata.map((t) => [t.name, Math.min(...t.partitions.map((p) => p.replicas.length))]),
    );
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    const changes: MinInsyncChange[] = [];
    const writes: Array<{ name: string; configEntries: Array<{ name: string; value: string }> }> = [];
    const problems: string[] = [];
    for (const resource of resources) {
      const topic = resource.resourceName;
      const replicationFactor = replicationFactors.get(topic);
      if (!replicationFactor || !Number.isFinite(replicationFactor)) {
        problems.push(`no partition metadata for topic ${topic}`);
        continue;
      }
      const target = minInsync ?? minInsyncReplicas(replicationFactor);
      const problem = minInsyncReplicasProblem(topic, replicationFactor, target);
      if (problem) {
        problems.push(problem);
        continue;
      }
      const own = resource.configEntries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG);
      const hidden = own.find((e) => e.configValue === null || e.isSensitive);
      if (hidden) {
        problems.push(
          `topic ${topic} has a config whose value the broker does not show: ${hidden.configName}`,
        );
        continue;
      }
      const overrides = Object.fromEntries(own.map((e) => [e.configName, e.configValue]));
      const next = withMinInsyncReplicas(overrides, target);
      if (!next) continue;
      changes.push({ topic, replicationFactor, from: overrides[MIN_INSYNC_REPLICAS] ?? null, to: target });
      writes.push({
        name: topic,
        configEntries: Object.entries(next).map(([name, value]) => ({ name, value })),
      });
    }
    if (problems.length > 0) throw new Error(`cannot set ${MIN_INSYNC_REPLICAS}: ${problems.join('; ')}`);
    if (writes.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: writes.map((w) => ({ type: ConfigResourceTypes.TOPIC, ...w })),
      });
      await waitForMinInsync(admin, changes, appliedTimeoutMs);
    }
    return changes;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the broker describes every changed topic with its new min.insync.replicas: AlterConfigs
 * answers before the brokers have applied the change (a describe right after it still shows the old
 * value now and then), and the provisioning that returns should have its effect visible.
 */
async function waitForMinInsync(
  admin: Pick<Admin, 'describeConfigs'>,
  changes: MinInsyncChange[],
  timeoutMs: number,
  pollMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = changes;
  for (;;) {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: pending.map((c) => ({
        type: ConfigResourceTypes.TOPIC,
        name: c.topic,
        configNames: [MIN_INSYNC_REPLICAS],
      })),
    });
    const applied = new Set(
      resources
        .filter((r) =>
          r.configEntries.some(
            (e) =>
              e.configName === MIN_INSYNC_REPLICAS &&
              e.configSource === ConfigSource.TOPIC_CONFIG &&
              e.configValue === String(pending.find((c) => c.topic === r.resourceName)?.to),
          ),
        )
        .map((r) => r.resourceName),
    );
    pending = pending.filter((c) => !applied.has(c.topic));
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `${MIN_INSYNC_REPLICAS} not applied after ${timeoutMs} ms on: ${pending.map((c) => c.topic).join(', ')}`,
      );
    }
    await sleep(pollMs);
  }
}
