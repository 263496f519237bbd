import type { KafkaMessage } from 'kafkajs';
import {
  attemptMessage,
  attemptOutcomeOf,
  decodeAttempt,
  retryTopicBase,
  SCHEMAS,
  topicName,
} from '@hookpost/contracts';
import {
  decideRetry,
  droppedAttemptHead,
  failedAt,
  isFinal,
  retryJob,
  type RetryStep,
} from '@hookpost/domain';
import { jsonMessage, rejectedRecord, type OutgoingRecord, type TransformContext } from '@hookpost/kafka';
import { traceHeadersOf } from '@hookpost/telemetry';

export interface RetryRouting {
  prefix: string;
  schedule: readonly RetryStep[];
  excludedEvents: ReadonlySet<string>;
  attemptsTopic: string;
  deadTopic: string;
  rejectedTopic: string;
}

/**
 * An attempt event -> nothing (delivered, rejected, dropped), the job on the delay topic of the next step
 * with its due time, or, when the schedule is used up, the job on the dead-letter topic plus a final
 * `dropped` attempt event. Only a `failed` attempt can lead anywhere (decideRetry): one whose outcome
 * header says it is final (isFinal) is skipped unread; a record without the header (delivery-attempt.v1)
 * is read.
 */
export function routeAttempt(
  message: KafkaMessage,
  ctx: TransformContext,
  routing: RetryRouting,
): OutgoingRecord[] {
  const said = attemptOutcomeOf(message);
  if (said !== undefined && isFinal(said)) return [];
  const decoded = decodeAttempt(message);
  if (!decoded.ok) return [rejectedRecord(routing.rejectedTopic, message, ctx, decoded.reason)];
  const attempt = decoded.value;
  if (said !== undefined && attempt.outcome !== said) {
    const reason = `the outcome header says ${said}, the record ${attempt.outcome}`;
    return [rejectedRecord(routing.rejectedTopic, message, ctx, reason)];
  }
  const trace = traceHeadersOf(message.headers);
  const decision = decideRetry({
    outcome: attempt.outcome,
    errorClass: attempt.error_class,
    attempt: attempt.attempt,
    webhook: attempt.webhook,
    schedule: routing.schedule,
    excludedEvents: routing.excludedEvents,
    failedAt: failedAt(attempt),
  });
  if (decision.kind === 'done') return [];
  const previous = attempt.job;
  if (previous === undefined) {
    return [rejectedRecord(routing.rejectedTopic, message, ctx, 'a failed attempt without its job')];
  }
  switch (decision.kind) {
    case 'retry': {
      const job = retryJob(previous, decision);
      return [
        {
          topic: topicName(routing.prefix, retryTopicBase(decision.step.label)),
          message: jsonMessage(job.delivery_id, job, SCHEMAS.deliveryJob, trace),
        },
      ];
    }
    case 'give_up':
      return [
        {
          topic: routing.deadTopic,
          message: jsonMessage(attempt.delivery_id, previous, SCHEMAS.deliveryJob, trace),
        },
        {
          topic: routing.attemptsTopic,
          // With its job: a dropped delivery may be resent from the failure log.
          message: attemptMessage(droppedAttemptHead(attempt, decision.why), JSON.stringify(previous), trace),
        },
      ];
  }
}
