/**
 * The one registry of Kafka topics. No topic name appears as a bare string anywhere else.
 * Every name is prefixed with KAFKA_TOPIC_PREFIX (empty by default) through `topicName`.
 */
export const TOPICS = {
  mailEvents: 'mail.events',
  mailEventsRejected: 'mail.events.rejected',
  webhookEvents: 'webhook.events',
  webhookEventsRedacted: 'webhook.events.redacted',
  deliveries: 'webhook.deliveries',
  deliveryAttempts: 'webhook.delivery-attempts',
  deliveriesDead: 'webhook.deliveries.dead',
  config: 'webhook.config',
} as const;

export type TopicKey = keyof typeof TOPICS;

/** The delay topic for one step of the retry schedule, e.g. `webhook.retry.10m`. */
export function retryTopicBase(delayLabel: string): string {
  return `webhook.retry.${delayLabel}`;
}

export function topicName(prefix: string, base: string): string {
  return `${prefix}${base}`;
}

/**
 * A consumer group's id, prefixed like the topics: deployments sharing a cluster (one prefix each) must
 * not share a group, or one deployment's members are assigned the other's partitions.
 */
export function groupName(prefix: string, base: string): string {
  return `${prefix}${base}`;
}

/** The topic and group names of one deployment: its KAFKA_TOPIC_PREFIX before each base name. */
export interface KafkaNames {
  topic(base: string): string;
  group(base: string): string;
}

export function kafkaNames(prefix: string): KafkaNames {
  return { topic: (base) => topicName(prefix, base), group: (base) => groupName(prefix, base) };
}

export interface TopicSpec {
  name: string;
  partitions: number;
  config: Record<string, string>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Largest record a topic accepts: a 1 MiB mail event plus Hookpost's envelope and headers. */
export const MAX_RECORD_BYTES = 2 * 1024 * 1024;

/**
 * Every topic of the design with its partition count and settings. `retryDelays` are the distinct
 * delays of RETRY_SCHEDULE (one delay topic each); a delay topic keeps its jobs for at least 7 days and
 * at least three times its delay, so no waiting job expires before it is due.
 */
export function topicSpecs(
  prefix: string,
  retryDelays: ReadonlyArray<{ label: string; delayMs: number }>,
  partitions = 6,
): TopicSpec[] {
  // A mail event may be up to 1 MiB; with its envelope it must still fit one record.
  const t = (base: string, config: Record<string, string> = {}, count = partitions): TopicSpec => ({
    name: topicName(prefix, base),
    partitions: count,
    config: { 'max.message.bytes': String(MAX_RECORD_BYTES), ...config },
  });
  return [
    t(TOPICS.mailEvents),
    t(TOPICS.mailEventsRejected, { 'retention.ms': String(30 * DAY_MS) }),
    t(TOPICS.webhookEvents),
    t(TOPICS.webhookEventsRedacted),
    t(TOPICS.deliveries),
    t(TOPICS.deliveryAttempts, { 'retention.ms': String(365 * DAY_MS) }),
    t(TOPICS.deliveriesDead, { 'retention.ms': String(90 * DAY_MS) }),
    t(TOPICS.config, { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' }, 1),
    ...retryDelays.map(({ label, delayMs }) =>
      t(retryTopicBase(label), { 'retention.ms': String(Math.max(7 * DAY_MS, 3 * delayMs)) }),
    ),
  ];
}
