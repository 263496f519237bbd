/**
 * Where produce-to-POST latency goes: for the events of the latency phases, the record timestamps (set
 * by each producer when it sends) of the event on every topic of the pipeline, and the POST's arrival.
 * Each hop's latency is the next timestamp minus the previous one: mail.events -> webhook.events is
 * ingest (with the broker and the fetch), and so on; webhook.events.redacted -> POST is fan-out (routing
 * and the first attempt, in one consumer).
 */
import type { Kafka, KafkaMessage } from 'kafkajs';
import { HEADERS, headerText, TOPICS } from '@hookpost/contracts';
import { readSince } from '@hookpost/kafka';
import { percentile, type Post } from './endpoints';

/** A mail event names its id in its JSON; a webhook event in a header (its value is the event data). */
const mailEventId = (message: KafkaMessage): unknown =>
  message.value && (JSON.parse(message.value.toString('utf8')) as Record<string, unknown>).id;
const webhookEventId = (message: KafkaMessage): unknown => headerText(message.headers, HEADERS.eventId);

/** The pipeline's topics in order, and how each record names its event id. */
const PATH = [
  { topic: TOPICS.mailEvents, hop: 'ingest', idOf: mailEventId },
  { topic: TOPICS.webhookEvents, hop: 'redaction', idOf: webhookEventId },
  { topic: TOPICS.webhookEventsRedacted, hop: 'fan_out', idOf: webhookEventId },
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
  for (const { topic, idOf } of PATH) {
    const found = new Map<string, number>();
    await readSince(kafka, topicOf(topic), since, 'bench-hops', (message) => {
      const id = idOf(message);
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
