import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import type { TopicSpec } from '@hookpost/contracts';

/** Creates the topics that do not exist yet; existing ones are left as they are. Returns the created names. */
export async function ensureTopics(
  kafka: Kafka,
  specs: TopicSpec[],
  leaderTimeoutMs = 60_000,
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
          replicationFactor: -1,
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
