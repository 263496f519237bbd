/**
 * The failure log as a projection of `webhook.delivery-attempts`: which attempts it holds, what `final`
 * means, and the row each attempt becomes. Pure: no Kafka, no database, no clock.
 */
import { z } from 'zod';
import {
  attemptOutcomeOf,
  decodeAttempt,
  decodeAttemptHead,
  decodeJson,
  deliveryAttemptSchema,
  deliveryJobSchema,
  formatIssues,
  HEADERS,
  headerText,
  type AttemptOutcome,
  type Decoded,
  type DeliveryAttempt,
  type DeliveryJob,
  type DELIVERY_TRIGGERS,
  type ErrorClass,
  type RecordIn,
  type WebhookEventType,
} from '@hookpost/contracts';
import { isFinal } from './attempts';

/** Record headers as read (kafkajs' IHeaders). */
type Headers = NonNullable<RecordIn['headers']>;

export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number];

/**
 * Whose webhooks' failures a caller sees on its domains: its own; with the primary's key acting for the
 * subaccount (X-Mailgun-On-Behalf-Of), the primary's too (its account-level webhooks fire for the
 * subaccount's domains). A subaccount's own key never sees its primary's.
 */
export function visibleWebhookOwners(caller: FailureLogCaller): string[] {
  return caller.viaPrimary && caller.parentId !== null
    ? [caller.accountId, caller.parentId]
    : [caller.accountId];
}

/** Who reads the failure log: the account acted for, its primary (if a subaccount), and how. */
export interface FailureLogCaller {
  accountId: string;
  /** Its primary account, when it is a subaccount. */
  parentId: string | null;
  /** The primary's key acts for this subaccount (X-Mailgun-On-Behalf-Of). */
  viaPrimary: boolean;
}

/**
 * Whose failures a list shows: of a domain or of a subaccount's domains, the rows of `owners`' webhooks
 * only; of a primary, every row of its and its subaccounts' domains (all made by its or their webhooks).
 */
export type FailureScope =
  | { kind: 'domain'; domain: string; owners: readonly string[] }
  | { kind: 'account'; accountId: string; owners: readonly string[] }
  | { kind: 'primary'; accountId: string };

/** A list of one of the caller's domains: the rows of the webhooks it sees (visibleWebhookOwners). */
export function domainScope(caller: FailureLogCaller, domain: string): FailureScope {
  return { kind: 'domain', domain, owners: visibleWebhookOwners(caller) };
}

/**
 * The caller's account-wide list: a subaccount sees its own webhooks' failures (its primary's too, when
 * the primary's key acts for it); a primary account also those of its subaccounts.
 */
export function accountScope(caller: FailureLogCaller): FailureScope {
  return caller.parentId === null
    ? { kind: 'primary', accountId: caller.accountId }
    : { kind: 'account', accountId: caller.accountId, owners: visibleWebhookOwners(caller) };
}

/** Outcomes the failure log records: every attempt that did not deliver. */
export const FAILURE_OUTCOMES = ['failed', 'rejected', 'dropped'] as const;
export type FailureOutcome = (typeof FAILURE_OUTCOMES)[number];

export function isFailure(outcome: AttemptOutcome): outcome is FailureOutcome {
  return outcome !== 'delivered';
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
 * A header-less attempt record (delivery-attempt.v1: every attempt with its job) -> the attempt, checked
 * as far as the failure log uses it: all of it for a final failure (whose row keeps the job for a
 * resend), all but the job's fields otherwise. So the `job` of any other attempt is unchecked: only for
 * `failureRowOf`, which reads it on final failures alone.
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

/** An attempt record as the failure log reads it: its value and headers (a KafkaMessage, say). */
export interface AttemptRecord {
  value: Buffer | string | null;
  headers?: Headers;
}

/**
 * What the failure log reads of an attempt record, by its outcome header (delivery-attempt.v2): a
 * delivered one nothing (`null`: no row); a failed one its own fields alone, the bytes before its job
 * (its row keeps no job); a final failure (rejected, dropped) all of it, the job checked, which its row
 * keeps for a resend and which it must have. A record without the header (v1) is read as before
 * (decodeLoggedAttempt). A record whose body contradicts its header is invalid.
 */
export function readLoggedAttempt(record: AttemptRecord): Decoded<DeliveryAttempt | null> {
  const value = typeof record.value === 'string' ? Buffer.from(record.value) : record.value;
  const said = attemptOutcomeOf({ value, headers: record.headers });
  if (said === undefined) return decodeLoggedAttempt(value);
  if (said === 'delivered') return { ok: true, value: null };
  const message = { value, headers: record.headers };
  const decoded: Decoded<DeliveryAttempt> = keepsJob(said)
    ? decodeAttempt(message)
    : decodeAttemptHead(message);
  if (!decoded.ok) return decoded;
  const attempt = decoded.value;
  if (attempt.outcome !== said) {
    return { ok: false, reason: `the outcome header says ${said}, the record ${attempt.outcome}` };
  }
  if (keepsJob(said) && attempt.job === undefined) {
    return { ok: false, reason: `job: a ${said} attempt without its job` };
  }
  return decoded;
}

/**
 * What the failure log reads of an attempt record, found from its headers without reading its value:
 * for the replay, which hands records to its decoder threads as bytes (partRecord makes them records
 * again, read by readLoggedAttempt as the whole record would be).
 */
export interface LoggedPart {
  /** The outcome header; undefined when absent or unknown (the record is read as v1). */
  outcome: AttemptOutcome | undefined;
  /**
   * The bytes read, a view of the value: none of a delivered attempt (null); of a failed one whose job
   * starts at HEADERS.headBytes, the bytes before the job and one more (the `,` there: decodeAttemptHead
   * reads a head only when the value goes on past it); all of any other.
   */
  bytes: Buffer | null;
  /** Whether `bytes` stops at the job. */
  head: boolean;
}

export function loggedPart(record: AttemptRecord): LoggedPart {
  const value = typeof record.value === 'string' ? Buffer.from(record.value) : record.value;
  const outcome = attemptOutcomeOf({ value: null, headers: record.headers });
  if (value === null || outcome === 'delivered') return { outcome, bytes: null, head: false };
  // A row that keeps no job (a failed attempt's: not final) needs the attempt's own fields alone.
  if (outcome !== undefined && !keepsJob(outcome)) {
    const headBytes = Number(headerText(record.headers, HEADERS.headBytes));
    if (Number.isSafeInteger(headBytes) && headBytes > 0 && headBytes < value.length) {
      return { outcome, bytes: value.subarray(0, headBytes + 1), head: true };
    }
  }
  return { outcome, bytes: value, head: false };
}

/** The record readLoggedAttempt reads of a LoggedPart: its bytes, with the headers that say how. */
export function partRecord(part: LoggedPart): AttemptRecord {
  if (part.outcome === undefined) return { value: part.bytes };
  const headers: Headers = { [HEADERS.outcome]: part.outcome };
  if (part.head && part.bytes !== null) headers[HEADERS.headBytes] = String(part.bytes.length - 1);
  return { value: part.bytes, headers };
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
 * PostgreSQL cannot hold (rowProblem), which only the failure log rejects. An invalid final failure
 * with an outcome header (rejected, dropped) is rejected too: the retry service skips those unread.
 */
export function projectBatch<M extends AttemptRecord & { offset: string }>(
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
      const decoded = readLoggedAttempt(message);
      if (!decoded.ok) {
        const said = attemptOutcomeOf({ value: null, headers: message.headers });
        if (said !== undefined && keepsJob(said)) {
          rejected.push({ offset: message.offset, reason: `failure log: ${decoded.reason}` });
        } else {
          invalid.push({ offset: message.offset, reason: decoded.reason });
        }
        return;
      }
      if (decoded.value === null) return;
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
