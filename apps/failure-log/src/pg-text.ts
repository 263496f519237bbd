/**
 * Failure rows as PostgreSQL takes them: JSON for the batch upsert and COPY text for the replay's bulk
 * load. PostgreSQL cannot hold U+0000 in text or jsonb (`unsupported Unicode escape sequence`) nor a lone
 * surrogate, and one such character in a response body would otherwise fail the batch holding it on
 * every retry: it becomes U+FFFD, in both forms alike. Pure.
 */
import { MAX_EPOCH_MS } from '@hookpost/contracts';
import type { FailureRow } from '@hookpost/domain';

/** A `\u0000` escape in JSON text (an odd run of backslashes before `u0000`; an even run is literal text). */
const JSON_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;
/**
 * A lone surrogate's escape in JSON.stringify's output (it escapes only those: a pair is written as it
 * is), which PostgreSQL refuses (`invalid input syntax for type json`); COPY text gets U+FFFD for it from
 * UTF-8 encoding, so the JSON gets the same.
 */
const JSON_LONE_SURROGATE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;
const NUL = /\0/g;

/**
 * JSON.stringify, with U+0000 and lone surrogates replaced by U+FFFD wherever they occur in a string
 * (as UTF-8 encoding does to a lone surrogate in COPY text).
 */
export function pgJson(value: unknown): string {
  let text = JSON.stringify(value);
  if (text.includes('\\u0000')) text = text.replace(JSON_NUL, '$1\\ufffd');
  if (text.includes('\\ud')) text = text.replace(JSON_LONE_SURROGATE, '$1\\ufffd');
  return text;
}

/** A string without U+0000 (U+FFFD in its place). */
export function pgString(text: string): string {
  return text.includes('\0') ? text.replace(NUL, '\ufffd') : text;
}

/** The failure log's columns, in the order of a COPY line (the replay adds its ordering column last). */
export const FAILURE_LOG_COLUMNS = [
  'attempt_id',
  'attempted_at',
  'url',
  'reason',
  'http_status',
  'error_class',
  'outcome',
  'event',
  'event_id',
  'message_id',
  'domain',
  'account_id',
  'primary_account_id',
  'attempt',
  'final',
  'trigger',
  'delivery_id',
  'job',
  'webhook_account_id',
] as const;

const COPY_SPECIALS = /[\\\t\n\r]/g;
/** What copyField changes: most fields have none of it, and are returned as they are. */
const COPY_CHANGES = /[\\\t\n\r\0]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field of COPY's text format: backslash, tab, newline and carriage return escaped; null as `\N`. */
export function copyField(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  if (!COPY_CHANGES.test(value)) return value;
  const text = pgString(value);
  return text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]);
}

let cachedMinute = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, its minute's `YYYY-MM-DDTHH:MM:` kept from the call before: a batch's
 * rows are mostly of one minute, and making a Date and its text for each was a fifth of the COPY text's
 * cost. Only for whole milliseconds from 1970 to the end of 9999 (an attempt's attempted_at).
 */
export function isoTime(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_EPOCH_MS) return new Date(ms).toISOString();
  const minute = Math.floor(ms / 60_000);
  if (minute !== cachedMinute) {
    cachedPrefix = new Date(minute * 60_000).toISOString().slice(0, 17);
    cachedMinute = minute;
  }
  const inMinute = ms - minute * 60_000;
  const seconds = Math.floor(inMinute / 1000);
  const millis = inMinute - seconds * 1000;
  return `${cachedPrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/**
 * One row as a line of COPY text: the FAILURE_LOG_COLUMNS and then `seq`, the primary account from
 * `primaryOf` (its parent for a subaccount, else the account itself), the job as JSON.
 */
function copyLine(r: FailureRow, primaryOf: (accountId: string) => string, seq: string): string {
  return (
    `${copyField(r.attempt_id)}\t${isoTime(r.attempted_at)}\t${copyField(r.url)}\t` +
    `${copyField(r.reason)}\t${copyField(r.http_status)}\t${copyField(r.error_class)}\t${r.outcome}\t` +
    `${r.event}\t${copyField(r.event_id)}\t${copyField(r.message_id)}\t${copyField(r.domain)}\t` +
    `${copyField(r.account_id)}\t${copyField(r.account_id === null ? null : primaryOf(r.account_id))}\t` +
    `${r.attempt}\t${r.final ? 't' : 'f'}\t${r.trigger}\t${copyField(r.delivery_id)}\t` +
    `${r.job === null ? '\\N' : copyField(pgJson(r.job))}\t${copyField(r.webhook_account_id)}\t${seq}\n`
  );
}

/** Rows as COPY text, one line each (copyLine). */
export function copyRows(
  rows: readonly FailureRow[],
  primaryOf: (accountId: string) => string,
  seq: string,
): string {
  // Lines joined once: appending each to one string made a rope that cost more than the lines.
  const lines: string[] = [];
  for (const r of rows) lines.push(copyLine(r, primaryOf, seq));
  return lines.join('');
}

/** Bytes a line usually takes: most rows keep no job. */
const LINE_BYTES = 512;

/**
 * copyRows as UTF-8, each line written into one buffer as it is made: joining the lines (flattening
 * each into one string) and encoding that was most of the cost of the text. The view is of its own
 * ArrayBuffer, which can be transferred to another thread.
 */
export function copyBytes(
  rows: readonly FailureRow[],
  primaryOf: (accountId: string) => string,
  seq: string,
): Buffer {
  let out = Buffer.allocUnsafeSlow(rows.length * LINE_BYTES + 1024);
  let at = 0;
  for (const r of rows) {
    const line = copyLine(r, primaryOf, seq);
    // At most 3 bytes of UTF-8 per UTF-16 unit.
    const most = line.length * 3;
    if (at + most > out.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(out.length * 2, at + most));
      out.copy(grown, 0, 0, at);
      out = grown;
    }
    at += out.write(line, at, 'utf8');
  }
  return out.subarray(0, at);
}
