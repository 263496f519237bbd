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
  jsonMessageWith,
  rejectedRecord,
  type BatchingProducer,
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

/** Where the dispatcher notes each request written and each attempt event acknowledged (`JournalFile`). */
export interface DispatchJournal {
  written(payload: string): number;
  ended(seq: number): void;
}

/**
 * One delivery job: wait for a slot of its endpoint, sign, POST, classify, record exactly one attempt
 * event. Resolves once the attempt event is acknowledged, so the job's offset is committed only after
 * its record exists. The journal bridges the one gap left: a request written whose event is not yet
 * acknowledged when the process dies.
 */
export class Dispatcher {
  constructor(
    private readonly state: ConfigState,
    private readonly sender: WebhookSender,
    private readonly limiter: EndpointLimiter,
    private readonly producer: BatchingProducer,
    private readonly topics: DispatchTopics,
    private readonly journal: DispatchJournal,
    private readonly logger: Logger,
  ) {}

  async handle(message: KafkaMessage, ctx: MessageContext): Promise<void> {
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
    const limited = await this.limiter.run(endpointOf(received.url), async () => {
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
    });
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
    await this.producer.send([attemptRecord(this.topics.attempts, attempt, rawJob, trace)]);
    if (journaled !== null) this.journal.ended(journaled);
  }
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
