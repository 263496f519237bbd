import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeJson, deliveryJobSchema, SCHEMAS, type DeliveryAttempt } from '@hookpost/contracts';
import { attemptOf, classify, newToken, prepareDelivery, type ConfigState } from '@hookpost/domain';
import { jsonMessageWith, rejectedRecord, type BatchingProducer, type MessageContext } from '@hookpost/kafka';
import { hookpostMetrics, traceHeadersOf } from '@hookpost/telemetry';
import type { WebhookSender } from '@hookpost/outbound';
import { endpointOf, type EndpointLimiter } from './endpoint-limiter';

export interface DispatchTopics {
  attempts: string;
  rejected: string;
}

/**
 * One delivery job: wait for a slot of its endpoint, sign, POST, classify, record exactly one attempt
 * event. Resolves once the attempt event is acknowledged, so the job's offset is committed only after
 * its record exists.
 */
export class Dispatcher {
  constructor(
    private readonly state: ConfigState,
    private readonly sender: WebhookSender,
    private readonly limiter: EndpointLimiter,
    private readonly producer: BatchingProducer,
    private readonly topics: DispatchTopics,
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
    const job = decoded.value;
    const trace = traceHeadersOf(message.headers);
    const { attemptedAt, prepared, sent } = await this.limiter.run(endpointOf(job.url), async () => {
      // Signed when its turn comes, so the timestamp is the POST's, not the time it waited.
      const attemptedAt = Date.now();
      const prepared = prepareDelivery(this.state, job, attemptedAt, newToken());
      const sent = prepared.ok
        ? // traceparent is added by the undici instrumentation: the POST's own span, in this job's trace
          await this.sender.post(job.url, prepared.body, prepared.headers)
        : {
            result: { kind: 'error', errorClass: 'no_signing_key', message: prepared.reason } as const,
            durationMs: 0,
          };
      return { attemptedAt, prepared, sent };
    });
    const { result, durationMs } = sent;
    const classified = classify(result);
    const m = hookpostMetrics();
    m.deliveries.add(1, { outcome: classified.outcome, error_class: classified.errorClass ?? 'none' });
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
    await this.producer.send([
      {
        topic: this.topics.attempts,
        // The job goes in as the bytes it came in (validated above), not stringified a second time.
        message: jsonMessageWith(
          job.delivery_id,
          withoutJob(attempt),
          'job',
          (message.value as Buffer).toString('utf8'),
          SCHEMAS.deliveryAttempt,
          trace,
        ),
      },
    ]);
  }
}

function withoutJob(attempt: DeliveryAttempt): Omit<DeliveryAttempt, 'job'> {
  const rest: Partial<DeliveryAttempt> = { ...attempt };
  delete rest.job;
  return rest as Omit<DeliveryAttempt, 'job'>;
}
