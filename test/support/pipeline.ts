import { createHmac, randomBytes } from 'node:crypto';
import { decodeWebhookEvent, HEADERS, headerText, SCHEMAS } from '@hookpost/contracts';
import { Partitioners, type IHeaders, type Producer } from 'kafkajs';
import { waitFor } from './processes';
import type { ReceivedRequest } from './receiver';
import { seedEvent } from './seeds';
import type { TestSystem } from './system';

/** The eight webhook names, as the seed's payload fixtures are keyed. */
export const SEED_TYPES = [
  'accepted',
  'delivered',
  'opened',
  'clicked',
  'permanent_fail',
  'temporary_fail',
  'unsubscribed',
  'complained',
] as const;
export type SeedType = (typeof SEED_TYPES)[number];

export type Json = Record<string, unknown>;

export interface Signature {
  timestamp: string;
  token: string;
  signature: string;
}

export interface Posted {
  signature: Signature;
  'parent-signature'?: Signature;
  'event-data': Json & { id: string };
}

/** A unique event id (Mailgun's look: 22 url-safe characters), tagged for reading failures. */
export function eventId(tag: string): string {
  return `${tag}-${randomBytes(12).toString('base64url')}`;
}

export type SeedEvent = Json & { id: string; message: { headers: Json } };

/** The seed event of a type with a fresh id, moved to `domain`. */
export function seedFor(type: SeedType, domain: string, tag: string = type): SeedEvent {
  const event = structuredClone(seedEvent(type)) as SeedEvent;
  event.id = eventId(tag);
  event.domain = { name: domain };
  return event;
}

/** Mailgun's signature check, written out here rather than taken from the code under test. */
export function signedWith(key: string, s: Signature | undefined): boolean {
  if (!s) return false;
  return (
    createHmac('sha256', key)
      .update(s.timestamp + s.token)
      .digest('hex') === s.signature
  );
}

export function parsePost(request: ReceivedRequest): Posted {
  return JSON.parse(request.body) as Posted;
}

export interface Collected {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Reads some topics of a TestSystem from the beginning for the whole test file (one group join instead
 * of one per assertion) and keeps every record, raw.
 */
export class TopicCollector {
  readonly records: Collected[] = [];

  private constructor(
    private readonly system: TestSystem,
    private readonly stopConsumer: () => Promise<void>,
  ) {}

  static async start(system: TestSystem, bases: string[]): Promise<TopicCollector> {
    const consumer = system.kafka.consumer({
      groupId: `e2e-collector-${randomBytes(4).toString('hex')}`,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 50,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: bases.map((b) => system.topic(b)), fromBeginning: true });
    const collector = new TopicCollector(system, () => consumer.disconnect());
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        collector.records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
      },
    });
    return collector;
  }

  on(base: string): Collected[] {
    const topic = this.system.topic(base);
    return this.records.filter((r) => r.topic === topic);
  }

  /**
   * The JSON values of a topic that `match`; a webhook event's record (its envelope in headers, its value
   * the event data) is read as the whole event.
   */
  json<T = Json>(base: string, match: (value: T) => boolean = () => true): T[] {
    return this.on(base)
      .filter((r) => r.value !== null && r.value.length > 0)
      .map((r) => {
        if (headerText(r.headers, HEADERS.schema) === SCHEMAS.webhookEvent) {
          const event = decodeWebhookEvent(r);
          if (!event.ok) throw new Error(`${base}@${r.offset}: ${event.reason}`);
          return event.value as T;
        }
        return JSON.parse((r.value as Buffer).toString('utf8')) as T;
      })
      .filter(match);
  }

  /** Waits until `probe` gives a value (not undefined/false). */
  until<T>(
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    what: string,
    timeoutMs = 30_000,
  ): Promise<T> {
    return waitFor(probe, timeoutMs, what, 20);
  }

  stop(): Promise<void> {
    return this.stopConsumer();
  }
}

/** One connected producer for a test file; `send` returns the partition and offset of the record. */
export class MailProducer {
  private constructor(
    private readonly system: TestSystem,
    private readonly producer: Producer,
  ) {}

  static async start(system: TestSystem): Promise<MailProducer> {
    const producer = system.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return new MailProducer(system, producer);
  }

  async send(
    base: string,
    value: string | Buffer | null,
    key: string | null = null,
    headers: IHeaders = {},
  ): Promise<{ partition: number; offset: string }> {
    const [meta] = await this.producer.send({
      topic: this.system.topic(base),
      messages: [{ key, value, headers }],
    });
    return { partition: meta.partition, offset: meta.baseOffset ?? '' };
  }

  stop(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** The readiness details a service reports for one of its checks (`/readyz` → info.<check>). */
export async function readinessDetails(system: TestSystem, service: 'ingest' | 'fan-out', check: string) {
  const { body } = await system.service(service).readiness();
  return ((body.info as Record<string, Json> | undefined)?.[check] ?? {}) as Record<string, unknown>;
}
