/**
 * The attempt records of the delivery lifecycle, for every outcome: the record of a POST (delivered,
 * failed, rejected, or failed before it was made), of a POST whose outcome a stop lost (`interrupted`),
 * and of a delivery given up on (`dropped`); and what `final` means. Ids are deterministic, so replays
 * and redeliveries produce the same records.
 */
import {
  attemptId,
  interruptedAttemptId,
  type AttemptHead,
  type AttemptOutcome,
  type DeliveryAttempt,
  type DeliveryJobHead,
} from '@hookpost/contracts';
import type { Classification } from './classify';

/**
 * Whether nothing follows an attempt with this outcome: delivered, rejected (a 406 is never retried) and
 * dropped (the record of a delivery given up on) are final; a failed attempt is followed by a retry or by
 * that dropped record (an interrupted one by the same attempt made again from its job's topic). The
 * retry router, the retry policy and the failure log all ask here.
 */
export function isFinal(outcome: AttemptOutcome): boolean {
  return outcome !== 'failed';
}

/**
 * The attempt event of one POST (or of a failure to make it), with its deterministic id; without the job,
 * which its record carries only where a later attempt may need it (`jobNeeded`).
 */
export function attemptOf(input: {
  job: DeliveryJobHead;
  accountId: string | null;
  result: Classification;
  durationMs: number;
  attemptedAt: number;
}): AttemptHead {
  const { job, result } = input;
  return {
    attempt_id: attemptId(job.delivery_id, job.attempt),
    delivery_id: job.delivery_id,
    event_id: job.event_id,
    webhook: job.webhook,
    domain: job.domain,
    account_id: input.accountId,
    ...(job.webhook_account_id !== undefined && { webhook_account_id: job.webhook_account_id }),
    message_id: job.message_id,
    url: job.url,
    level: job.level,
    attempt: job.attempt,
    trigger: job.trigger,
    outcome: result.outcome,
    http_status: result.httpStatus,
    error_class: result.errorClass,
    reason: result.reason,
    duration_ms: Math.round(input.durationMs * 1000) / 1000,
    attempted_at: input.attemptedAt,
  };
}

export const INTERRUPTED_REASON =
  'outcome unknown: the dispatcher stopped after sending the request and before a response was recorded; ' +
  'the delivery is made again';

/**
 * The attempt event of a POST whose outcome was lost (a request left open in the dispatch journal):
 * failed, `interrupted`, under its own id, without its job (never retried: `jobNeeded`).
 */
export function interruptedAttemptOf(entry: {
  job: DeliveryJobHead;
  accountId: string | null;
  attemptedAt: number;
}): AttemptHead {
  const attempt = attemptOf({
    job: entry.job,
    accountId: entry.accountId,
    result: { outcome: 'failed', httpStatus: null, errorClass: 'interrupted', reason: INTERRUPTED_REASON },
    durationMs: 0,
    attemptedAt: entry.attemptedAt,
  });
  return {
    ...attempt,
    attempt_id: interruptedAttemptId(entry.job.delivery_id, entry.job.attempt, entry.attemptedAt),
  };
}

/** When an attempt failed: its start plus its duration (deterministic, whenever it is processed). */
export function failedAt(attempt: Pick<DeliveryAttempt, 'attempted_at' | 'duration_ms'>): number {
  return attempt.attempted_at + Math.ceil(attempt.duration_ms);
}

/** Why a delivery is given up on: its event type is excluded from retries, or the schedule is used up. */
export type GiveUpReason = 'excluded' | 'exhausted';

/**
 * The final record of a delivery given up on (no POST is made); its id follows the last attempt's, and
 * its time is the last failure's, so replays produce the same record.
 */
export function droppedAttempt(last: DeliveryAttempt, why: GiveUpReason): DeliveryAttempt {
  const lastReason = last.reason ?? last.error_class ?? 'failed';
  return {
    ...last,
    attempt_id: attemptId(last.delivery_id, last.attempt + 1),
    attempt: last.attempt + 1,
    outcome: 'dropped',
    http_status: null,
    error_class: why === 'excluded' ? 'retry_excluded' : 'schedule_exhausted',
    reason:
      why === 'excluded'
        ? `not retried: ${last.webhook} events are excluded from retries; last: ${lastReason}`
        : `given up after ${last.attempt} attempt(s); last: ${lastReason}`,
    duration_ms: 0,
    attempted_at: failedAt(last),
  };
}

/** The dropped attempt without its job (attemptMessage writes the job after the attempt's own fields). */
export function droppedAttemptHead(last: DeliveryAttempt, why: GiveUpReason): AttemptHead {
  const head: Partial<DeliveryAttempt> = droppedAttempt(last, why);
  delete head.job;
  return head as AttemptHead;
}
