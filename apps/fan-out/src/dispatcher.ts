import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeJson, deliveryJobSchema, SCHEMAS } from '@hookpost/contracts';
import { attemptOf, classify, newToken, prepareDelivery, type ConfigState } from '@hookpost/domain';
import { jsonMessage, rejectedRecord, type BatchingProducer, type MessageContext } from '@hookpost/kafka';
import { traceHeadersOf } from '@hookpost/telemetry';
import type { WebhookSender } from '@hookpost/outbound';

export interface DispatchTopics {
  attempts: string;
  rejected: string;
}

/**
 * One delivery job: sign, POST, classify, record exactly one attempt event. Resolves once the attempt
 * event is acknowledged, so the job's offset is committed only after its record exists.
 */
export class Dispatcher {
  constructor(
    private readonly state: ConfigState,
    private readonly sender: WebhookSender,
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
    const attemptedAt = Date.now();
    const prepared = prepareDelivery(this.state, job, attemptedAt, newToken());
    const { result, durationMs } = prepared.ok
      ? await this.sender.post(job.url, prepared.body, trace)
      : {
          result: { kind: 'error', errorClass: 'no_signing_key', message: prepared.reason } as const,
          durationMs: 0,
        };
    const attempt = attemptOf({
      job,
      accountId: prepared.accountId,
      result: classify(result),
      durationMs,
      attemptedAt,
    });
    await this.producer.send([
      {
        topic: this.topics.attempts,
        message: jsonMessage(job.delivery_id, attempt, SCHEMAS.deliveryAttempt, trace),
      },
    ]);
  }
}
