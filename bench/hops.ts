/**
 * Where produce-to-POST latency goes: for the events of the latency phases, the record timestamps (set
 * by each producer when it sends) of the event on every topic of the pipeline, and the POST's arrival.
 * Each hop's latency is the next timestamp minus the previous one: mail.events -> webhook.events is
 * ingest (with the broker and the fetch), and so on; webhook.deliveries -> POST is the dispatcher.
 */
import type { Kafka } from 'kafkajs';
import { TOPICS } from '@hookpost/contracts';
import { readSince } from '@hookpost/kafka';
import { percentile, type Post } from './endpoints';

/** The pipeline's topics in order, and where each record names its event id. */
const PATH = [
  { topic: TOPICS.mailEvents, hop: 'ingest', idKey: 'id' },
  { topic: TOPICS.webhookEvents, hop: 'redaction', idKey: 'event_id' },
  { topic: TOPICS.webhookEventsRedacted, hop: 'fan_out', idKey: 'event_id' },
  { topic: TOPICS.deliveries, hop: 'dispatch', idKey: 'event_id' },
] as const;

export type HopLatencies = Record<string, { p50: number; p99: number }>;

/** p50 and p99 (ms) of each hop, for each named set of first POSTs (each topic is read once for all). */
export async function hopLatencies<K extends string>(
  kafka: Kafka,
  topicOf: (name: string) => string,
  phases: Record<K, readonly Post[]>,
): Promise<Record<K, HopLatencies>> {
  const posts = Object.values<readonly Post[]>(phases).flat();
  const ids = new Set(posts.map((p) => p.eventId));
  const since = Math.min(...posts.map((p) => p.sentAt ?? p.at));
  const stamps: Array<Map<string, number>> = [];
  for (const { topic, idKey } of PATH) {
    const found = new Map<string, number>();
    await readSince(kafka, topicOf(topic), since, 'bench-hops', (message) => {
      if (!message.value) return;
      const id = (JSON.parse(message.value.toString('utf8')) as Record<string, unknown>)[idKey];
      if (typeof id === 'string' && ids.has(id) && !found.has(id)) found.set(id, Number(message.timestamp));
    });
    stamps.push(found);
  }
  const breakdown = (phase: readonly Post[]): HopLatencies => {
    const hops: Record<string, number[]> = Object.fromEntries(PATH.map((s) => [s.hop, []]));
    for (const post of phase) {
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
  };
  return Object.fromEntries(
    Object.entries<readonly Post[]>(phases).map(([name, phase]) => [name, breakdown(phase)]),
  ) as Record<K, HopLatencies>;
}
