import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeJson, deliveryJobSchema, SCHEMAS, type DeliveryAttempt } from '@hookpost/contracts';
import {
  attemptOf,
  classify,
  interruptedAttemptOf,
  jobAtAttempt,
  newToken,
  prepareDelivery,
  writtenPayload,
  type ConfigState,
  type OpenEntry,
} from '@hookpost/domain';
import {
  HandBack,
  jsonMessageWith,
  rejectedRecord,
  type BatchingProducer,
  type InFlightLease,
  type MessageContext,
  type OutgoingRecord,
} from '@hookpost/kafka';
import { countDelivery, hookpostMetrics, traceHeadersOf } from '@hookpost/telemetry';
import type { WebhookSender } from '@hookpost/outbound';
import { endpointOf, type EndpointLimiter } from './endpoint-limiter';

export interface DispatchTopics {
  attempts: string;
  rejected: string;
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

/**
 * One delivery job: wait for a slot of its endpoint (URL) and of its account, sign, POST, classify,
 * record exactly one attempt event. Resolves once the attempt event is acknowledged, so the job's offset
 * is committed only after its record exists. The journal bridges the one gap left: a request written
 * whose event is not yet acknowledged when the process dies.
 *
 * The POST is made once per handling: when the attempt event cannot be produced, only the produce is
 * retried, for `RecordPolicy.timeoutMs`; past it the service stops and the job is handed back
 * (uncommitted) with its journal entry left open, so the next start records the POST as `interrupted`.
 */
export class Dispatcher {
  private stopping = false;
  /**
   * Each produce being waited for, abandoned (HandBack) when the dispatcher gives up. One per wait, gone
   * once it settles: a race against one never-settling promise instead kept a reaction, its promises and
   * their async context alive per attempt recorded, for the life of the process.
   */
  private readonly abandon = new Set<() => void>();

  constructor(
    private readonly state: ConfigState,
    private readonly sender: WebhookSender,
    private readonly limiter: EndpointLimiter,
    private readonly producer: BatchingProducer,
    private readonly topics: DispatchTopics,
    private readonly journal: DispatchJournal,
    private readonly logger: Logger,
    private readonly recording: RecordPolicy,
  ) {}

  async handle(message: KafkaMessage, ctx: MessageContext, lease?: InFlightLease): Promise<void> {
    // The service is stopping because attempt events cannot be produced: no new POST.
    if (this.stopping) throw new HandBack();
    const decoded = decodeJson(deliveryJobSchema, message.value);
    if (!decoded.ok) {
      this.logger.error(
        { ...ctx, offset: message.offset, reason: decoded.reason },
        'invalid delivery job rejected',
      );
      return this.producer.send([rejectedRecord(this.topics.rejected, message, ctx, decoded.reason)]);
    }
    const received = decoded.value;
    const trace = traceHeadersOf(message.headers);
    let journaled: number | null = null;
    const slot = { endpoint: endpointOf(received.url), account: accountSlotOf(this.state, received.domain) };
    const waiting = lease && { queued: () => lease.waiting(), granted: () => lease.running() };
    const limited = await this.limiter.run(
      slot,
      async () => {
        // Signed when its turn comes, so the timestamp is the POST's, not the time it waited; and under the
        // PII policy in force then, which the job carries on to its attempt event (hence to retries).
        const attemptedAt = Date.now();
        const job = jobAtAttempt(this.state, received);
        // The job goes into its attempt event and the journal as the bytes it came in (validated above), not
        // stringified again, unless redaction changed it just now.
        const rawJob = job === received ? (message.value as Buffer) : JSON.stringify(job);
        const prepared = prepareDelivery(this.state, job, attemptedAt, newToken());
        const written = () => {
          const request = { attemptedAt, accountId: prepared.accountId, traceHeaders: trace };
          journaled = this.journal.written(writtenPayload(request, job, rawJob.toString('utf8')));
        };
        const sent = prepared.ok
          ? // traceparent is added by the undici instrumentation: the POST's own span, in this job's trace
            await this.sender.post(job.url, prepared.body, prepared.headers, written)
          : {
              result: { kind: 'error', errorClass: 'no_signing_key', message: prepared.reason } as const,
              durationMs: 0,
            };
        return { attemptedAt, job, rawJob, prepared, sent };
      },
      waiting,
    );
    const { attemptedAt, job, rawJob, prepared, sent } = limited;
    const { result, durationMs } = sent;
    const classified = classify(result);
    const m = hookpostMetrics();
    countDelivery(classified.outcome, classified.errorClass);
    if (result.kind === 'response' || durationMs > 0) {
      m.deliveryDuration.record(durationMs, { outcome: classified.outcome });
    }
    m.deliveryDelay.record(Math.max(0, attemptedAt - job.due_at), { trigger: job.trigger });
    const attempt = attemptOf({
      job,
      accountId: prepared.accountId,
      result: classified,
      durationMs,
      attemptedAt,
    });
    await this.record(attemptRecord(this.topics.attempts, attempt, rawJob, trace), ctx, message.offset);
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
      const left = deadline - Date.now();
      try {
        await withDeadline(this.unlessStopped(this.producer.send([record])), left);
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

  /** `promise`, or a HandBack as soon as the dispatcher gives up recording. */
  private unlessStopped<T>(promise: Promise<T>): Promise<T> {
    let abandon: () => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => (abandon = () => reject(new HandBack())));
    this.abandon.add(abandon);
    return Promise.race([promise, stopped]).finally(() => this.abandon.delete(abandon));
  }

  private giveUp(err: unknown, ctx: MessageContext, offset: string): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const abandon of [...this.abandon]) abandon();
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
  constructor(ms: number) {
    super(`no acknowledgement within ${Math.max(0, Math.round(ms))} ms`);
  }
}

/** `promise`, or a RecordTimeout once `ms` pass (the produce itself may still complete later). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RecordTimeout(ms)), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The attempt event record of a request left open in a dead dispatcher's journal. */
export function interruptedRecord(topic: string, entry: OpenEntry): OutgoingRecord {
  return attemptRecord(topic, interruptedAttemptOf(entry), entry.jobJson, entry.traceHeaders);
}

function attemptRecord(
  topic: string,
  attempt: DeliveryAttempt,
  rawJob: string | Buffer,
  trace: Record<string, string>,
): OutgoingRecord {
  return {
    topic,
    message: jsonMessageWith(
      attempt.delivery_id,
      withoutJob(attempt),
      'job',
      rawJob,
      SCHEMAS.deliveryAttempt,
      trace,
    ),
  };
}

function withoutJob(attempt: DeliveryAttempt): Omit<DeliveryAttempt, 'job'> {
  const rest: Partial<DeliveryAttempt> = { ...attempt };
  delete rest.job;
  return rest as Omit<DeliveryAttempt, 'job'>;
}
