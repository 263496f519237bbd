/**
 * Where produce-to-POST latency goes: for the events of one phase, the record timestamps (set by each
 * producer when it sends) of the event on every topic of the pipeline, and the POST's arrival. Each hop's
 * latency is the next timestamp minus the previous one: mail.events -> webhook.events is ingest (with the
 * broker and the fetch), and so on; webhook.deliveries -> POST is the dispatcher.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { TOPICS } from '@hookpost/contracts';
import { percentile, type Post } from './endpoints';

/** The pipeline's topics in order, and where each record names its event id. */
const PATH = [
  { topic: TOPICS.mailEvents, hop: 'ingest', idKey: 'id' },
  { topic: TOPICS.webhookEvents, hop: 'redaction', idKey: 'event_id' },
  { topic: TOPICS.webhookEventsRedacted, hop: 'fan_out', idKey: 'event_id' },
  { topic: TOPICS.deliveries, hop: 'dispatch', idKey: 'event_id' },
] as const;

/** Each record's timestamp per event id of `ids`, read from offset 0 up to the high watermarks. */
async function timestamps(
  kafka: Kafka,
  topic: string,
  idKey: string,
  ids: ReadonlySet<string>,
): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic))
      .filter((o) => BigInt(o.high) > BigInt(o.low))
      .map((o) => [o.partition, BigInt(o.high) - 1n]),
  );
  await admin.disconnect();
  const groupId = `bench-hops-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 8 * 1024 * 1024 });
  const found = new Map<string, number>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    if (ends.size === 0) return resolve();
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const value = m.value?.toString('utf8');
            if (!value) continue;
            const id = (JSON.parse(value) as Record<string, unknown>)[idKey];
            if (typeof id === 'string' && ids.has(id) && !found.has(id)) found.set(id, Number(m.timestamp));
          }
          const end = ends.get(batch.partition);
          if (end !== undefined && BigInt(batch.lastOffset()) >= end) ends.delete(batch.partition);
          if (ends.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  const cleanup = kafka.admin();
  await cleanup.connect();
  await cleanup.deleteGroups([groupId]).catch(() => undefined);
  await cleanup.disconnect();
  return found;
}

/** p50 and p99 (ms) of each hop for the given first POSTs. */
export async function hopLatencies(
  kafka: Kafka,
  topicOf: (name: string) => string,
  posts: readonly Post[],
): Promise<Record<string, { p50: number; p99: number }>> {
  const ids = new Set(posts.map((p) => p.eventId));
  const stamps = [];
  for (const step of PATH) stamps.push(await timestamps(kafka, topicOf(step.topic), step.idKey, ids));
  const hops: Record<string, number[]> = Object.fromEntries(PATH.map((s) => [s.hop, []]));
  for (const post of posts) {
    const times = [...stamps.map((s) => s.get(post.eventId)), post.at];
    if (times.some((t) => t === undefined)) continue;
    PATH.forEach((step, i) => hops[step.hop].push((times[i + 1] as number) - (times[i] as number)));
  }
  return Object.fromEntries(
    Object.entries(hops).map(([hop, values]) => {
      values.sort((a, b) => a - b);
      return [hop, { p50: percentile(values, 50), p99: percentile(values, 99) }];
    }),
  );
}
