import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import {
  attemptMessage,
  decodeJson,
  deliveryJobSchema,
  HEADERS,
  jobJson,
  jobNeeded,
  readEventRecord,
  SCHEMAS,
  type DeliveryJobHead,
} from '@hookpost/contracts';
import {
  attemptOf,
  classify,
  deliveryHeadsFor,
  interruptedAttemptOf,
  jobParts,
  newToken,
  prepareDelivery,
  writtenPayload,
  type AttemptEventData,
  type ConfigState,
  type OpenEntry,
} from '@hookpost/domain';
import {
  HandBack,
  rejectedRecord,
  type BatchingProducer,
  type InFlightLease,
  type MessageContext,
  type OutgoingRecord,
} from '@hookpost/kafka';
import { countDelivery, hookpostMetrics, traceHeadersOf } from '@hookpost/telemetry';
import type { WebhookSender } from '@hookpost/outbound';
import { endpointOf, type EndpointLimiter, type WaitHooks } from './endpoint-limiter';
import { SharedLease } from './shared-lease';

export interface DispatchTopics {
  attempts: string;
  /** Where the deliveries of an event that cannot be made here are handed on as jobs (at a stop). */
  deliveries: string;
  rejected: string;
}

export interface RouteStats {
  events: number;
  withoutWebhook: number;
  jobs: number;
}

/**
 * How long an attempt event's produce is retried (backoff from `initialBackoffMs` to `maxBackoffMs`)
 * before the dispatcher gives up and `stop`s the service: the POST is never made again for it.
 */
export interface RecordPolicy {
  timeoutMs: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Stops the service (exit code 70); called once. */
  stop: () => void;
}

/** Where the dispatcher notes each request written and each attempt event acknowledged (`JournalFile`). */
export interface DispatchJournal {
  written(payload: string): number;
  ended(seq: number): void;
}

/** One attempt to make: the job without its data, the data as JSON, the trace it belongs to. */
interface Delivery {
  job: DeliveryJobHead;
  data: AttemptEventData;
  trace: Record<string, string>;
}

/**
 * Makes deliveries: the first attempt of each URL of an event (`handleEvent`, in the consumer that reads
 * the event: no hop through Kafka), and later attempts that come back as jobs (`handleJob`: retries,
 * resends). Each delivery waits for a slot of its endpoint (URL) and of its account, signs, POSTs,
 * classifies and records exactly one attempt event; a message resolves once the attempt events of all it
 * started are acknowledged, so its offset is committed only after its records exist. The journal bridges
 * the one gap left: a request written whose event is not yet acknowledged when the process dies.
 *
 * The POST is made once per handling: when the attempt event cannot be produced, only the produce is
 * retried, for `RecordPolicy.timeoutMs`; past it the service stops and the message is handed back
 * (uncommitted) with its journal entry left open, so the next start records the POST as `interrupted`.
 */
export class Dispatcher {
  private stopping = false;
  /** The attempt events being produced, each with its deadline, watched by one timer. */
  private readonly produces: ProduceWatch;
  readonly stats: RouteStats = { events: 0, withoutWebhook: 0, jobs: 0 };

  constructor(
    private readonly state: ConfigState,
    private readonly sender: WebhookSender,
    private readonly limiter: EndpointLimiter,
    private readonly producer: BatchingProducer,
    private readonly topics: DispatchTopics,
    private readonly journal: DispatchJournal,
    private readonly logger: Logger,
    private readonly recording: RecordPolicy,
  ) {
    this.produces = new ProduceWatch(recording.timeoutMs);
  }

  /**
   * A webhook event: routed on its headers, and the first attempt of each of its URLs made at once, its
   * event data put into each body as the bytes it came in. A URL that hangs holds only its own delivery;
   * the event's offset waits for it (it is committed below the oldest unfinished message).
   *
   * At a stop, deliveries of the event not started yet are handed on as jobs to `webhook.deliveries` when
   * others were made (so those are not made twice); when none was, the event is handed back whole.
   */
  async handleEvent(message: KafkaMessage, ctx: MessageContext, lease?: InFlightLease): Promise<void> {
    if (this.stopping) throw new HandBack();
    const record = readEventRecord(message);
    if (!record.ok) return this.reject(message, ctx, record.reason, 'invalid webhook event rejected');
    const { envelope, data } = record.value;
    const heads = deliveryHeadsFor(this.state, envelope, Date.now());
    this.stats.events++;
    this.stats.jobs += heads.length;
    if (heads.length === 0) {
      this.stats.withoutWebhook++;
      return;
    }
    // The bytes as they came: into each POST body without being decoded (parsed only if redacted now).
    const eventData: AttemptEventData = { json: data, redacted: envelope.redacted };
    const trace = traceHeadersOf(message.headers);
    const shared = new SharedLease(lease, heads.length);
    const settled = await Promise.allSettled(
      heads.map((job, i) =>
        this.deliver({ job, data: eventData, trace }, ctx, message.offset, shared.hooks(i)).finally(() =>
          shared.finished(i),
        ),
      ),
    );
    const notMade = heads.filter((_, i) => settled[i].status === 'rejected');
    if (notMade.length === 0) return;
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    const unexpected = failures.find((err) => !(err instanceof HandBack));
    if (unexpected !== undefined) {
      this.logger.error(
        { err: unexpected, ...ctx, offset: message.offset },
        'delivery failed; handed on as a job',
      );
    } else if (notMade.length === heads.length) {
      throw new HandBack();
    }
    await this.handOn(notMade, eventData, trace);
  }

  /** A job of `webhook.deliveries`: a retry, a resend, or a first attempt handed on at a stop. */
  async handleJob(message: KafkaMessage, ctx: MessageContext, lease?: InFlightLease): Promise<void> {
    // The service is stopping because attempt events cannot be produced: no new POST.
    if (this.stopping) throw new HandBack();
    const decoded = decodeJson(deliveryJobSchema, message.value);
    if (!decoded.ok) return this.reject(message, ctx, decoded.reason, 'invalid delivery job rejected');
    const [job, data] = jobParts(decoded.value);
    const hooks = lease && { queued: () => lease.waiting(), granted: () => lease.running() };
    await this.deliver({ job, data, trace: traceHeadersOf(message.headers) }, ctx, message.offset, hooks);
  }

  private async reject(message: KafkaMessage, ctx: MessageContext, reason: string, what: string) {
    this.logger.error({ ...ctx, offset: message.offset, reason }, what);
    return this.producer.send([rejectedRecord(this.topics.rejected, message, ctx, reason)]);
  }

  /** The deliveries of an event that were not made here, as jobs on `webhook.deliveries`. */
  private async handOn(jobs: DeliveryJobHead[], data: AttemptEventData, trace: Record<string, string>) {
    try {
      await this.producer.send(
        jobs.map((job) => ({
          topic: this.topics.deliveries,
          message: {
            key: job.delivery_id,
            value: jobJson(job, data.json),
            headers: { ...trace, [HEADERS.schema]: SCHEMAS.deliveryJob },
          },
        })),
      );
    } catch (err) {
      // Not handed on: the event goes back whole (the deliveries made are made again: at least once).
      this.logger.warn({ err }, 'deliveries not made could not be handed on; the event is handed back');
      throw new HandBack();
    }
  }

  /** One attempt: a slot, the body under the PII policy in force, the POST, its attempt event. */
  private async deliver(
    delivery: Delivery,
    ctx: MessageContext,
    offset: string,
    hooks: WaitHooks | undefined,
  ): Promise<void> {
    const { job, trace } = delivery;
    let journaled: number | null = null;
    const slot = { endpoint: endpointOf(job.url), account: accountSlotOf(this.state, job.domain) };
    const made = await this.limiter.run(
      slot,
      async () => {
        if (this.stopping) throw new HandBack();
        // Signed when its turn comes, so the timestamp is the POST's, not the time it waited; and under the
        // PII policy in force then, which its attempt event (hence a retry or resend) carries on.
        const attemptedAt = Date.now();
        const prepared = prepareDelivery(this.state, job, delivery.data, attemptedAt, newToken());
        const written = () => {
          const request = { attemptedAt, accountId: prepared.accountId, traceHeaders: trace };
          journaled = this.journal.written(writtenPayload(request, job));
        };
        const sent = prepared.ok
          ? // traceparent is added by the undici instrumentation: the POST's own span, in this job's trace
            await this.sender.post(job.url, prepared.body, prepared.headers, written)
          : {
              result: { kind: 'error', errorClass: 'no_signing_key', message: prepared.reason } as const,
              durationMs: 0,
            };
        return { attemptedAt, data: prepared.data, accountId: prepared.accountId, sent };
      },
      hooks,
    );
    const { attemptedAt, data, accountId, sent } = made;
    const { result, durationMs } = sent;
    const classified = classify(result);
    const m = hookpostMetrics();
    countDelivery(classified.outcome, classified.errorClass);
    if (result.kind === 'response' || durationMs > 0) {
      m.deliveryDuration.record(durationMs, { outcome: classified.outcome });
    }
    m.deliveryDelay.record(Math.max(0, attemptedAt - job.due_at), { trigger: job.trigger });
    const attempt = attemptOf({ job, accountId, result: classified, durationMs, attemptedAt });
    // The job (with the data as attempted) only where a retry or a resend may need it.
    const withJob = jobNeeded(attempt) ? jobJson(job, data.json) : null;
    await this.record(
      { topic: this.topics.attempts, message: attemptMessage(attempt, withJob, trace) },
      ctx,
      offset,
    );
    if (journaled !== null) this.journal.ended(journaled);
  }

  /**
   * Produces the attempt event, retrying only the produce; past the policy's time (or once the service
   * is stopping for that reason) it stops the service and hands the job back without its event: the
   * journal entry stays open for the next start.
   */
  private async record(record: OutgoingRecord, ctx: MessageContext, offset: string): Promise<void> {
    const { timeoutMs, initialBackoffMs = 200, maxBackoffMs = 5000 } = this.recording;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) throw new HandBack();
      try {
        await this.produces.watch(this.producer.send([record]), deadline);
        return;
      } catch (err) {
        if (err instanceof HandBack) throw err;
        const wait = Math.min(maxBackoffMs, initialBackoffMs * 2 ** attempt);
        if (Date.now() + wait >= deadline) {
          this.giveUp(err, ctx, offset);
          throw new HandBack();
        }
        this.logger.warn(
          { err, ...ctx, offset, retry_in_ms: wait },
          'attempt event not produced; retrying the produce (the POST is not made again)',
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private giveUp(err: unknown, ctx: MessageContext, offset: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.produces.abandonAll();
    this.logger.fatal(
      { err, ...ctx, offset, timeout_ms: this.recording.timeoutMs },
      'attempt event could not be produced within DISPATCH_RECORD_TIMEOUT_MS; stopping (the journal records the POST as interrupted at the next start)',
    );
    this.recording.stop();
  }
}

/** The account whose share of slots a job takes: its domain's owner (the domain, if the view lacks it). */
export function accountSlotOf(state: ConfigState, domain: string): string {
  return state.domains.get(domain)?.account_id ?? `domain:${domain}`;
}

class RecordTimeout extends Error {
  constructor() {
    super('no acknowledgement before the deadline');
  }
}

interface Watched {
  deadline: number;
  reject: (err: Error) => void;
}

/**
 * The produces of attempt events being waited for: each settles as its produce does, or with a
 * RecordTimeout once its deadline passed (the produce itself may still complete later), or with a
 * HandBack when the dispatcher gives up (`abandonAll`). One timer checks them all, a quarter of the
 * timeout apart (at most 250 ms) while any is waited for: a timer and two promise races per attempt
 * recorded cost more than the whole check, and a bound a quarter late is as good a bound.
 */
class ProduceWatch {
  private readonly waiting = new Set<Watched>();
  private timer: NodeJS.Timeout | null = null;
  private readonly periodMs: number;

  constructor(timeoutMs: number) {
    this.periodMs = Math.max(10, Math.min(250, Math.floor(timeoutMs / 4)));
  }

  watch(promise: Promise<void>, deadline: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Watched = { deadline, reject };
      this.waiting.add(entry);
      this.timer ??= setInterval(() => this.check(), this.periodMs);
      promise.then(
        () => {
          if (this.waiting.delete(entry)) resolve();
        },
        (err: unknown) => {
          if (this.waiting.delete(entry)) reject(err);
        },
      );
    });
  }

  abandonAll(): void {
    for (const entry of [...this.waiting]) this.settle(entry, new HandBack());
  }

  private check(): void {
    const now = Date.now();
    for (const entry of this.waiting) if (entry.deadline <= now) this.settle(entry, new RecordTimeout());
    if (this.waiting.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private settle(entry: Watched, err: Error): void {
    if (this.waiting.delete(entry)) entry.reject(err);
  }
}

/** The attempt event record of a request left open in a dead dispatcher's journal (no job: not retried). */
export function interruptedRecord(topic: string, entry: OpenEntry): OutgoingRecord {
  return { topic, message: attemptMessage(interruptedAttemptOf(entry), null, entry.traceHeaders) };
}
