/**
 * Queries of the failure log, Mailgun events-API style: filters (`event`, `url`, `begin`, `end`, `limit`),
 * newest first, and paging by opaque cursors in full URLs (keyset on (timestamp, attempt id), never
 * OFFSET). Pure: parsing, cursors, page direction and links.
 */
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@hookpost/contracts';
import { checkUrl, fieldList, parseWebhookName, type Checked } from './webhook-config';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 300;

/** Where a row sits in the order: its timestamp (epoch ms) and attempt id (the tie-breaker). */
export interface Position {
  ms: number;
  id: string;
}

/**
 * Which page: the newest (`first`), the oldest (`last`), or the rows older / newer than a position
 * (`inclusive`: the position's own row too).
 */
export type Cursor =
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'older'; at: Position; inclusive: boolean }
  | { kind: 'newer'; at: Position; inclusive: boolean };

export interface FailureFilters {
  /** Event types to include; null for all. */
  events: WebhookEventType[] | null;
  url: string | null;
  /** Inclusive bounds on the attempt's timestamp, epoch ms. */
  beginMs: number | null;
  endMs: number | null;
}

export interface FailureQuery {
  filters: FailureFilters;
  limit: number;
  cursor: Cursor;
  /** The filter parameters as given, for the paging links. */
  params: Array<[string, string]>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -5 * 60,
  EDT: -4 * 60,
  CST: -6 * 60,
  CDT: -5 * 60,
  MST: -7 * 60,
  MDT: -6 * 60,
  PST: -8 * 60,
  PDT: -7 * 60,
};
const RFC2822 = new RegExp(
  '^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\\s*)?(\\d{1,2})\\s+(' +
    MONTHS.join('|') +
    ')\\s+(\\d{4})\\s+(\\d{2}):(\\d{2})(?::(\\d{2}))?\\s+([+-]\\d{4}|[A-Z]{1,3})$',
);

/** `+0100`, `-0530`, `GMT`, `PST`... -> minutes east of UTC; null if unknown. */
function zoneOffsetMinutes(zone: string): number | null {
  const numeric = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (numeric) {
    const [, sign, hh, mm] = numeric;
    if (Number(mm) > 59) return null;
    return (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
  }
  return ZONES[zone] ?? null;
}

/**
 * A time as Mailgun's events API takes it: epoch seconds (fractions allowed) or an RFC 2822 date
 * (`Fri, 14 Nov 2025 10:00:00 +0000`, `... GMT`). Epoch ms, or null when it is neither.
 */
export function parseTime(text: string): number | null {
  const value = text.trim();
  if (/^\d{1,11}(\.\d{1,6})?$/.test(value)) return Math.round(Number(value) * 1000);
  const m = RFC2822.exec(value);
  if (!m) return null;
  const [, day, month, year, hour, minute, second, zone] = m;
  const offset = zoneOffsetMinutes(zone);
  if (offset === null) return null;
  const [d, mon, y, h, min, s] = [
    Number(day),
    MONTHS.indexOf(month),
    Number(year),
    Number(hour),
    Number(minute),
    Number(second ?? 0),
  ];
  if (h > 23 || min > 59 || s > 59) return null;
  const utc = Date.UTC(y, mon, d, h, min, s);
  if (new Date(utc).getUTCDate() !== d) return null; // 31 Feb
  return utc - offset * 60_000;
}

/**
 * `event`: one event type, or several joined by OR (`opened OR clicked`) as in Mailgun's filter
 * expressions; `failed` stands for both failure types, `unsubscribe` for `unsubscribed`.
 */
export function parseEventFilter(text: string): Checked<WebhookEventType[]> {
  const out = new Set<WebhookEventType>();
  for (const term of text.trim().split(/\s+OR\s+/)) {
    if (term === 'failed') {
      out.add('permanent_fail');
      out.add('temporary_fail');
      continue;
    }
    const name = parseWebhookName(term);
    if (!name.ok) {
      return {
        ok: false,
        message: `event: unknown event type "${term}" (one of ${WEBHOOK_EVENT_TYPES.join(', ')})`,
      };
    }
    out.add(name.value);
  }
  return { ok: true, value: WEBHOOK_EVENT_TYPES.filter((t) => out.has(t)) };
}

/** A cursor as the `page` parameter carries it: base64url of a small JSON array. */
export function encodeCursor(cursor: Cursor): string | null {
  switch (cursor.kind) {
    case 'first':
      return null;
    case 'last':
      return Buffer.from(JSON.stringify(['l'])).toString('base64url');
    case 'older':
    case 'newer': {
      const tag = cursor.kind === 'older' ? 'o' : 'n';
      const value = [cursor.inclusive ? tag.toUpperCase() : tag, cursor.at.ms, cursor.at.id];
      return Buffer.from(JSON.stringify(value)).toString('base64url');
    }
  }
}

export function decodeCursor(token: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(token)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  if (value.length === 1 && value[0] === 'l') return { kind: 'last' };
  const [tag, ms, id] = value as unknown[];
  if (value.length !== 3 || typeof tag !== 'string' || !['o', 'O', 'n', 'N'].includes(tag)) return null;
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || typeof id !== 'string' || id.length === 0) {
    return null;
  }
  const kind = tag.toLowerCase() === 'o' ? 'older' : 'newer';
  return { kind, at: { ms, id }, inclusive: tag === tag.toUpperCase() };
}

function single(query: Record<string, unknown>, name: string): Checked<string | null> {
  const list = fieldList(query[name]);
  if (list.length > 1) return { ok: false, message: `${name} must be given once` };
  if (query[name] !== undefined && list.length === 0)
    return { ok: false, message: `${name} must be a string` };
  return { ok: true, value: list[0] ?? null };
}

/** The query string of a list request -> the query, or the 400 message naming the bad parameter. */
export function parseFailureQuery(query: Record<string, unknown>): Checked<FailureQuery> {
  const values: Record<string, string | null> = {};
  for (const name of ['event', 'url', 'begin', 'end', 'limit', 'page']) {
    const one = single(query, name);
    if (!one.ok) return one;
    values[name] = one.value;
  }
  const params: Array<[string, string]> = [];
  const filters: FailureFilters = { events: null, url: null, beginMs: null, endMs: null };
  if (values.event !== null) {
    const events = parseEventFilter(values.event);
    if (!events.ok) return events;
    filters.events = events.value;
    params.push(['event', values.event]);
  }
  if (values.url !== null) {
    const url = checkUrl(values.url);
    if (!url.ok) return { ok: false, message: `url: ${url.message}` };
    filters.url = url.value;
    params.push(['url', values.url]);
  }
  for (const name of ['begin', 'end'] as const) {
    const text = values[name];
    if (text === null) continue;
    const ms = parseTime(text);
    if (ms === null) {
      return {
        ok: false,
        message: `${name}: "${text}" is neither epoch seconds nor an RFC 2822 date (Fri, 14 Nov 2025 10:00:00 +0000)`,
      };
    }
    filters[name === 'begin' ? 'beginMs' : 'endMs'] = ms;
    params.push([name, text]);
  }
  // Mailgun reads begin > end as the same range walked backwards; the log is always newest first.
  if (filters.beginMs !== null && filters.endMs !== null && filters.beginMs > filters.endMs) {
    [filters.beginMs, filters.endMs] = [filters.endMs, filters.beginMs];
  }
  let limit = DEFAULT_LIMIT;
  if (values.limit !== null) {
    limit = /^\d{1,4}$/.test(values.limit.trim()) ? Number(values.limit.trim()) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      return { ok: false, message: `limit: must be an integer from 1 to ${MAX_LIMIT}` };
    }
  }
  params.push(['limit', String(limit)]);
  let cursor: Cursor = { kind: 'first' };
  if (values.page !== null) {
    const decoded = decodeCursor(values.page);
    if (!decoded) return { ok: false, message: 'page: not a page of this list' };
    cursor = decoded;
  }
  return { ok: true, value: { filters, limit, cursor, params } };
}

/**
 * How to read a page: rows compared to the cursor's position (`compare`, on (timestamp, attempt id)),
 * in ascending order for pages above a position and the last page (then reversed to newest first).
 */
export function pageOrder(cursor: Cursor): { compare: '<' | '<=' | '>' | '>=' | null; ascending: boolean } {
  switch (cursor.kind) {
    case 'first':
      return { compare: null, ascending: false };
    case 'last':
      return { compare: null, ascending: true };
    case 'older':
      return { compare: cursor.inclusive ? '<=' : '<', ascending: false };
    case 'newer':
      return { compare: cursor.inclusive ? '>=' : '>', ascending: true };
  }
}

export interface Paging {
  first: string;
  last: string;
  next: string;
  previous: string;
}

/**
 * The cursors around a page (`rows` newest first): next = older than its last row, previous = newer than
 * its first. An empty page keeps its position, so walking on from it and back again finds the rows
 * beside it.
 */
export function neighbours(cursor: Cursor, rows: readonly Position[]): { next: Cursor; previous: Cursor } {
  if (rows.length > 0) {
    return {
      next: { kind: 'older', at: rows[rows.length - 1], inclusive: false },
      previous: { kind: 'newer', at: rows[0], inclusive: false },
    };
  }
  switch (cursor.kind) {
    case 'first':
    case 'last':
      return { next: cursor, previous: cursor };
    case 'older':
      return { next: cursor, previous: { kind: 'newer', at: cursor.at, inclusive: !cursor.inclusive } };
    case 'newer':
      return { next: { kind: 'older', at: cursor.at, inclusive: !cursor.inclusive }, previous: cursor };
  }
}

/** Page tokens of the four links (null for the first page, which takes no `page`). */
export function pageTokens(
  query: FailureQuery,
  rows: readonly Position[],
): Record<keyof Paging, string | null> {
  const { next, previous } = neighbours(query.cursor, rows);
  return {
    first: null,
    last: encodeCursor({ kind: 'last' }),
    next: encodeCursor(next),
    previous: encodeCursor(previous),
  };
}

/**
 * Full URLs of the four links: `base` (scheme, host and path of the request) with the request's filter
 * parameters and the page token.
 */
export function pagingLinks(
  base: string,
  query: FailureQuery,
  tokens: Record<keyof Paging, string | null>,
): Paging {
  const link = (token: string | null) => {
    const search = new URLSearchParams(query.params);
    if (token !== null) search.set('page', token);
    return `${base}?${search.toString()}`;
  };
  return {
    first: link(tokens.first),
    last: link(tokens.last),
    next: link(tokens.next),
    previous: link(tokens.previous),
  };
}

/** One entry of a list answer. */
export interface FailureItem {
  /** Epoch seconds, as Mailgun's events carry them. */
  timestamp: number;
  url: string;
  reason: string;
  http_status: number | null;
  event: WebhookEventType;
  event_id: string;
  message_id: string;
  domain: string;
  attempt: number;
  final: boolean;
}

/** A failure as the store lists it: the item's fields, with the time in epoch milliseconds. */
export type ListedFailureFields = Omit<FailureItem, 'timestamp'> & { ms: number };

/** Only the answer's fields (a listed row carries more, e.g. its attempt id for paging). */
export function failureItem(row: ListedFailureFields): FailureItem {
  return {
    timestamp: row.ms / 1000,
    url: row.url,
    reason: row.reason,
    http_status: row.http_status,
    event: row.event,
    event_id: row.event_id,
    message_id: row.message_id,
    domain: row.domain,
    attempt: row.attempt,
    final: row.final,
  };
}
