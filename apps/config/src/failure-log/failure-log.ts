/**
 * The failure log as a projection of `webhook.delivery-attempts`: which attempts it holds, what `final`
 * means, and the row each attempt becomes. Pure: no Kafka, no database, no clock.
 */
import { z } from 'zod';
import {
  decodeJson,
  deliveryAttemptSchema,
  deliveryJobSchema,
  formatIssues,
  type AttemptOutcome,
  type DeliveryAttempt,
  type DeliveryJob,
  type DELIVERY_TRIGGERS,
  type ErrorClass,
  type WebhookEventType,
} from '@hookpost/contracts';

export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number];

/**
 * Whose webhooks' failures a caller sees on its domains: its own; with the primary's key acting for the
 * subaccount (X-Mailgun-On-Behalf-Of), the primary's too (its account-level webhooks fire for the
 * subaccount's domains). A subaccount's own key never sees its primary's.
 */
export function visibleWebhookOwners(caller: {
  accountId: string;
  parentId: string | null;
  viaPrimary: boolean;
}): string[] {
  return caller.viaPrimary && caller.parentId !== null
    ? [caller.accountId, caller.parentId]
    : [caller.accountId];
}

/** Outcomes the failure log records: every attempt that did not deliver. */
export const FAILURE_OUTCOMES = ['failed', 'rejected', 'dropped'] as const;
export type FailureOutcome = (typeof FAILURE_OUTCOMES)[number];

export function isFailure(outcome: AttemptOutcome): outcome is FailureOutcome {
  return outcome !== 'delivered';
}

/**
 * Whether nothing follows the attempt: a 406 is never retried (rejected) and a delivery given up on ends
 * with a `dropped` record; a `failed` attempt is followed by a retry, or by that `dropped` record.
 */
export function isFinal(outcome: FailureOutcome): boolean {
  return outcome !== 'failed';
}

/** Whether the attempt's row keeps its job (for a resend): final failures only. */
function keepsJob(outcome: AttemptOutcome): boolean {
  return isFailure(outcome) && isFinal(outcome);
}

/** Most of a response body a reason keeps (the attempt event already holds at most 1 KiB of it). */
export const MAX_REASON_CHARS = 500;

/**
 * Why the attempt failed, for people: the attempt's own reason (`HTTP 500: <body>`, the connection
 * error, `given up after N attempt(s); last: ...`), shortened to a snippet; else its status or error class.
 */
export function failureReason(
  attempt: Pick<DeliveryAttempt, 'reason' | 'http_status' | 'error_class' | 'outcome'>,
): string {
  const text = attempt.reason?.trim();
  if (text) {
    // No longer in characters than in UTF-16 units: most reasons are short, and kept without splitting.
    if (text.length <= MAX_REASON_CHARS) return text;
    const chars = Array.from(text);
    return chars.length <= MAX_REASON_CHARS ? text : `${chars.slice(0, MAX_REASON_CHARS).join('')}…`;
  }
  if (attempt.http_status !== null) return `HTTP ${attempt.http_status}`;
  return attempt.error_class ?? attempt.outcome;
}

/**
 * One row of the failure log, keyed by attempt id. The primary account is not here: it is resolved from
 * the accounts table in the statement that writes the row.
 */
export interface FailureRow {
  attempt_id: string;
  /** Epoch milliseconds. */
  attempted_at: number;
  url: string;
  reason: string;
  http_status: number | null;
  error_class: ErrorClass | null;
  outcome: FailureOutcome;
  event: WebhookEventType;
  event_id: string;
  message_id: string;
  domain: string;
  /** The domain's owner. */
  account_id: string | null;
  /**
   * The account whose webhook the POST went to (webhookOwnerOf): whose failure log lists the row and who
   * may resend it.
   */
  webhook_account_id: string | null;
  attempt: number;
  final: boolean;
  trigger: DeliveryTrigger;
  delivery_id: string;
  /**
   * The delivery job as it was attempted, on final rows only: what a resend puts back on
   * `webhook.deliveries` (only final failures are resent; a failed row's job would be a copy of the
   * event that nothing reads, and most rows are failed ones).
   */
  job: DeliveryJob | null;
}

/**
 * An attempt event as the failure log reads it: every field checked but its job's, which must be an
 * object and is checked only where a row keeps it (`decodeLoggedAttempt`). Most rows are `failed` ones,
 * without the job, and checking every copy of the event was a sixth of a replay's decoding.
 */
const loggedAttemptSchema = deliveryAttemptSchema.extend({
  job: z.custom<DeliveryJob>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    { message: 'Invalid input: expected an object' },
  ),
});

/**
 * An attempt record -> the attempt, checked as far as the failure log uses it: all of it for a final
 * failure (whose row keeps the job for a resend), all but the job's fields otherwise. So the `job` of
 * any other attempt is unchecked: only for `failureRowOf`, which reads it on final failures alone.
 */
export function decodeLoggedAttempt(
  value: Buffer | string | null,
): { ok: true; value: DeliveryAttempt } | { ok: false; reason: string } {
  const decoded = decodeJson(loggedAttemptSchema, value);
  if (!decoded.ok) return decoded;
  const { outcome, job } = decoded.value;
  if (keepsJob(outcome)) {
    const checked = deliveryJobSchema.safeParse(job);
    if (!checked.success) {
      return { ok: false, reason: formatIssues(checked.error, ['job']) };
    }
    return { ok: true, value: { ...decoded.value, job: checked.data } };
  }
  return decoded;
}

/**
 * Whose webhook an attempt's POST went to: the attempt's `webhook_account_id`; an attempt recorded before
 * it existed falls back to the domain's owner (the rule of that time).
 */
export function webhookOwnerOf(attempt: Pick<DeliveryAttempt, 'account_id' | 'webhook_account_id'>) {
  return attempt.webhook_account_id ?? attempt.account_id;
}

/** The row of an attempt, or null when the attempt delivered. */
export function failureRowOf(attempt: DeliveryAttempt): FailureRow | null {
  const { outcome } = attempt;
  if (!isFailure(outcome)) return null;
  const final = isFinal(outcome);
  return {
    attempt_id: attempt.attempt_id,
    attempted_at: attempt.attempted_at,
    url: attempt.url,
    reason: failureReason(attempt),
    http_status: attempt.http_status,
    error_class: attempt.error_class,
    outcome,
    event: attempt.webhook,
    event_id: attempt.event_id,
    message_id: attempt.message_id,
    domain: attempt.domain,
    account_id: attempt.account_id,
    webhook_account_id: webhookOwnerOf(attempt),
    attempt: attempt.attempt,
    final,
    trigger: attempt.trigger,
    delivery_id: attempt.delivery_id,
    job: keepsJob(outcome) ? (attempt.job ?? null) : null,
  };
}

/**
 * Most UTF-8 bytes of an id the failure log keeps. The ids are keys of B-tree indexes, whose entries
 * PostgreSQL caps at about 2.7 KB: a longer one (from an old record or a foreign producer; ours are short)
 * would fail every write of its batch.
 */
export const MAX_KEY_BYTES = 1024;
const KEY_FIELDS = [
  'attempt_id',
  'delivery_id',
  'event_id',
  'domain',
  'account_id',
  'webhook_account_id',
] as const;
const INT4_MAX = 2_147_483_647;

/**
 * Why PostgreSQL could not hold a row, or null: an id longer than MAX_KEY_BYTES, a number beyond its
 * integer column. Such a record makes no row (the live projection sends it to the rejected topic; a
 * rebuild skips it alike), so one record never holds up the log.
 */
export function rowProblem(row: FailureRow): string | null {
  for (const field of KEY_FIELDS) {
    const value = row[field];
    if (value === null || value.length * 3 <= MAX_KEY_BYTES) continue;
    const bytes = Buffer.byteLength(value);
    if (bytes > MAX_KEY_BYTES) {
      return `${field} is ${bytes} bytes long; the failure log keeps ids of at most ${MAX_KEY_BYTES}`;
    }
  }
  if (row.http_status !== null && Math.abs(row.http_status) > INT4_MAX) {
    return `http_status ${row.http_status} is out of range`;
  }
  if (row.attempt > INT4_MAX) return `attempt ${row.attempt} is out of range`;
  return null;
}

/** What a batch of attempt records became: at least, how many were read and which were invalid. */
export interface Projection {
  /** Valid attempt records read (delivered ones included). */
  attempts: number;
  invalid: Array<{ offset: string; reason: string }>;
  /** Valid records whose row PostgreSQL cannot hold (rowProblem): for the rejected topic. */
  rejected: Array<{ offset: string; reason: string }>;
}

export interface ProjectedBatch extends Projection {
  /** One row per attempt id (the last one read wins), in the order first seen. */
  rows: FailureRow[];
  /** The offset of the record each row came from, by attempt id. */
  offsets: Map<string, string>;
}

/**
 * A batch of attempt messages -> the rows to upsert. An attempt id read twice (a redelivered attempt)
 * keeps its last version, as upserting them one by one in offset order would; so a replay from offset 0
 * gives the same rows as the live projection. Invalid messages are reported, not rows (the retry
 * service, which reads the same topic, sends them to the rejected topic); so are valid ones whose row
 * PostgreSQL cannot hold (rowProblem), which only the failure log rejects.
 */
export function projectBatch<M extends { offset: string; value: Buffer | string | null }>(
  messages: readonly M[],
  /** Runs the handling of each message (the live projection puts it in the message's trace span). */
  around: <T>(message: M, handle: () => T) => T = (_message, handle) => handle(),
): ProjectedBatch {
  const rows = new Map<string, FailureRow>();
  const offsets = new Map<string, string>();
  const invalid: ProjectedBatch['invalid'] = [];
  const rejected: ProjectedBatch['rejected'] = [];
  for (const message of messages) {
    around(message, () => {
      const decoded = decodeLoggedAttempt(message.value);
      if (!decoded.ok) {
        invalid.push({ offset: message.offset, reason: decoded.reason });
        return;
      }
      const row = failureRowOf(decoded.value);
      if (!row) return;
      const problem = rowProblem(row);
      if (problem !== null) {
        rejected.push({ offset: message.offset, reason: `failure log: ${problem}` });
        return;
      }
      rows.set(row.attempt_id, row);
      offsets.set(row.attempt_id, message.offset);
    });
  }
  return {
    rows: [...rows.values()],
    offsets,
    attempts: messages.length - invalid.length,
    invalid,
    rejected,
  };
}
