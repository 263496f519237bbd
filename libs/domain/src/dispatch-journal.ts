import { attemptId, decodeJson, deliveryJobSchema, type DeliveryJobHead } from '@hookpost/contracts';

/**
 * The dispatch journal: a local append-only file that makes "one attempt event per POST" hold when the
 * dispatcher dies mid-request. A `W` line is written the moment a request has been handed to its
 * connection, an `E` line once that attempt's event is acknowledged by Kafka. A `W` without its `E`, found
 * when the dispatcher starts again, is a POST that may have arrived and has no event: it gets an
 * `interrupted` one (interruptedAttemptOf, in attempts.ts).
 *
 *   W <seq> <meta JSON>\t<job JSON>\n      meta: { t: attempted at (ms), a: account id, h: trace headers }
 *
 * The job is written without its event data: an `interrupted` attempt is never retried (its job is
 * delivered again from its topic), so its event needs only the job's head. A line of an earlier version,
 * with the data, is read alike (the data is left out).
 *   E <seq>\n
 */
export interface WrittenRequest {
  attemptedAt: number;
  accountId: string | null;
  traceHeaders: Record<string, string>;
}

export interface OpenEntry extends WrittenRequest {
  seq: number;
  job: DeliveryJobHead;
}

export interface ParsedJournal {
  open: OpenEntry[];
  /** Lines that do not parse: the last one torn by the kill, or damage. */
  unreadable: number;
}

const jobHeadSchema = deliveryJobSchema.omit({ event_data: true });

/** The body of a `W` line after its sequence number (JSON.stringify escapes the tab and line breaks). */
export function writtenPayload(request: WrittenRequest, job: DeliveryJobHead): string {
  const meta = JSON.stringify({ t: request.attemptedAt, a: request.accountId, h: request.traceHeaders });
  return `${meta}\t${JSON.stringify(job)}`;
}

export function writtenLine(seq: number, payload: string): string {
  return `W ${seq} ${payload}\n`;
}

export function endedLine(seq: number): string {
  return `E ${seq}\n`;
}

/** The requests of a journal that were written and never ended, in the order they were written. */
export function parseJournal(text: string): ParsedJournal {
  const open = new Map<number, OpenEntry>();
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const entry = parseLine(line);
    if (entry === null) unreadable++;
    else if (entry.kind === 'E') open.delete(entry.seq);
    else open.set(entry.seq, entry.entry);
  }
  return { open: [...open.values()], unreadable };
}

type Line = { kind: 'E'; seq: number } | { kind: 'W'; seq: number; entry: OpenEntry };

function parseLine(line: string): Line | null {
  const match = /^([WE]) (\d{1,15})(?: ([^\t]*)\t(.*))?$/.exec(line);
  if (!match) return null;
  const seq = Number(match[2]);
  if (match[1] === 'E') return match[3] === undefined ? { kind: 'E', seq } : null;
  if (match[3] === undefined) return null;
  const meta = parseMeta(match[3]);
  const job = decodeJson(jobHeadSchema, match[4]);
  if (!meta || !job.ok) return null;
  return { kind: 'W', seq, entry: { seq, ...meta, job: job.value } };
}

function parseMeta(text: string): WrittenRequest | null {
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    return null;
  }
  const m = meta as { t?: unknown; a?: unknown; h?: unknown };
  if (!Number.isSafeInteger(m.t) || (m.a !== null && typeof m.a !== 'string')) return null;
  const headers: Record<string, string> = {};
  if (m.h && typeof m.h === 'object') {
    for (const [k, v] of Object.entries(m.h)) if (typeof v === 'string') headers[k] = v;
  }
  return { attemptedAt: m.t as number, accountId: m.a as string | null, traceHeaders: headers };
}

/**
 * The attempt event an open entry would have had, as `attempt_id@attempted_at`: a process killed after
 * the broker stored the event and before it read the acknowledgement leaves the entry open, yet the
 * event exists. (The same attempt made again after the restart has the same id, not the same time.)
 */
export function recordedKey(attemptIdValue: string, attemptedAt: number): string {
  return `${attemptIdValue}@${attemptedAt}`;
}

export function expectedRecordKey(entry: OpenEntry): string {
  return recordedKey(attemptId(entry.job.delivery_id, entry.job.attempt), entry.attemptedAt);
}

/** The open entries whose attempt event is not among those found: the POSTs that need `interrupted`. */
export function unrecorded(entries: OpenEntry[], found: ReadonlySet<string>): OpenEntry[] {
  return entries.filter((entry) => !found.has(expectedRecordKey(entry)));
}
