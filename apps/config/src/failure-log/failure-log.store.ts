/**
 * The failure log's SQL: the one upsert the live projection and the rebuild share, and the reads of the
 * API. Runs on any executor (TypeORM's manager in the service, a pg client in the rebuild script).
 */
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  pageOrder,
  type FailureQuery,
  type FailureRow,
  type FailureScope,
  type LatestFailure,
  type ListedFailureFields,
} from '@hookpost/domain';
import { FAILURE_LOG_COLUMNS, pgJson } from './pg-text';

/** Runs one statement and answers its rows. */
export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export const FAILURE_LOG_TABLE = 'webhook_failures';

/** The live projection's consumer group (prefixed by groupName); a rebuild's throwaway groups add to it. */
export const FAILURE_LOG_GROUP = 'hookpost-failure-log';

/**
 * Advisory lock between the live projection and a rebuild: every live batch takes it shared for its
 * transaction; the rebuild takes it exclusively while it catches up with the topic and swaps its table in.
 */
export const PROJECTION_LOCK = 0x686b_666c; // "hkfl"
/** Held by a rebuild for its whole run, so two never race. */
export const REBUILD_LOCK = 0x686b_6672; // "hkfr"

const RECORD_COLUMNS = `
  attempt_id text, attempted_at bigint, url text, reason text, http_status integer, error_class text,
  outcome text, event text, event_id text, message_id text, domain text, account_id text, attempt integer,
  final boolean, trigger text, delivery_id text, job jsonb, webhook_account_id text`;

const UPDATED = FAILURE_LOG_COLUMNS.filter((c) => c !== 'attempt_id');

/** Epoch ms (a bigint expression) -> timestamptz, exactly (no float seconds in between). */
const fromMs = (expr: string) => `(timestamptz 'epoch' + ${expr} * interval '1 millisecond')`;

/**
 * One statement for a whole batch: the rows travel as one JSON array (json_to_recordset: as fast as
 * unnest of one array per column, and one parameter; `json`, so only each row's job is built as jsonb),
 * the primary account is resolved from `accounts` in the same statement (primaryIdOf, in SQL), and an
 * attempt id already there is overwritten (the later record of a redelivered attempt wins, as in offset
 * order). `$1` is the JSON array of FailureRow.
 */
export function upsertSql(table: string): string {
  return `
    INSERT INTO ${table} AS f (attempt_id, ${UPDATED.join(', ')})
    SELECT r.attempt_id, ${fromMs('r.attempted_at')}, r.url, r.reason, r.http_status, r.error_class,
           r.outcome, r.event, r.event_id, r.message_id, r.domain, r.account_id,
           COALESCE(a.parent_id, r.account_id), r.attempt, r.final, r.trigger, r.delivery_id, r.job,
           r.webhook_account_id
      FROM json_to_recordset($1::json) AS r(${RECORD_COLUMNS})
      LEFT JOIN accounts a ON a.id = r.account_id
    ON CONFLICT (attempt_id) DO UPDATE SET ${UPDATED.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
}

/**
 * SQLSTATE classes of an error in the data of a statement rather than in reaching the database: data
 * exceptions (22), integrity constraint violations (23), program limits such as an index entry's size
 * (54). Only these make the projection write a failing batch's rows one by one; anything else (a
 * connection refused or lost, the server shutting down, a timeout, no SQLSTATE at all) is waited out.
 */
const ROW_ERROR_CLASSES = new Set(['22', '23', '54']);

/** Whether a failed write's error is about its rows (see ROW_ERROR_CLASSES), not about the database. */
export function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && ROW_ERROR_CLASSES.has(code.slice(0, 2));
}

/** Upserts rows into `table` with one statement. */
export async function upsertRows(sql: Sql, table: string, rows: readonly FailureRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql(upsertSql(table), [pgJson(rows)]);
}

/** Loads COPY text (pg-text.ts's copyRows) into `columns` of `table` with one COPY statement. */
export async function copyText(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  text: Uint8Array,
): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  stream.end(Buffer.from(text.buffer, text.byteOffset, text.byteLength));
  await finished(stream);
}

/**
 * A row's webhook owner: rows written before the column existed have none, and fall back to the
 * domain's owner (the rule they were written under).
 */
const OWNER = 'COALESCE(webhook_account_id, account_id)';

export type ListedFailure = ListedFailureFields & { attempt_id: string };

/** One page of a list, newest first: keyset on (attempted_at, attempt_id), never OFFSET. */
export async function listFailures(
  sql: Sql,
  scope: FailureScope,
  query: FailureQuery,
): Promise<ListedFailure[]> {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (scope.kind === 'domain') where.push(`domain = ${p(scope.domain)}`);
  else if (scope.kind === 'account') where.push(`account_id = ${p(scope.accountId)}`);
  else where.push(`primary_account_id = ${p(scope.accountId)}`);
  if (scope.kind !== 'primary') where.push(`${OWNER} = ANY(${p(scope.owners)}::text[])`);
  const { filters, cursor, limit } = query;
  if (filters.events) where.push(`event = ANY(${p(filters.events)}::text[])`);
  if (filters.url !== null) where.push(`url = ${p(filters.url)}`);
  if (filters.beginMs !== null) where.push(`attempted_at >= ${fromMs(`${p(filters.beginMs)}::bigint`)}`);
  if (filters.endMs !== null) where.push(`attempted_at <= ${fromMs(`${p(filters.endMs)}::bigint`)}`);
  const order = pageOrder(cursor);
  if (order.compare !== null && (cursor.kind === 'older' || cursor.kind === 'newer')) {
    where.push(
      `(attempted_at, attempt_id) ${order.compare} (${fromMs(`${p(cursor.at.ms)}::bigint`)}, ${p(cursor.at.id)}::text)`,
    );
  }
  const dir = order.ascending ? 'ASC' : 'DESC';
  const rows = await sql<Omit<ListedFailure, 'ms'> & { ms: string }>(
    `SELECT (extract(epoch FROM attempted_at) * 1000)::bigint AS ms, attempt_id, url, reason, http_status,
            event, event_id, message_id, domain, attempt, final
       FROM ${FAILURE_LOG_TABLE}
      WHERE ${where.join(' AND ')}
      ORDER BY attempted_at ${dir}, attempt_id ${dir}
      LIMIT ${p(limit)}`,
    params,
  );
  const listed = rows.map((r) => ({ ...r, ms: Number(r.ms) }));
  return order.ascending ? listed.reverse() : listed;
}

/**
 * The highest-attempt row of each delivery of an event on a domain made by `owners`' webhooks (to one
 * URL, when given); `job` is set on final rows, the only ones a resend uses.
 */
export function latestFailures(
  sql: Sql,
  domain: string,
  eventId: string,
  owners: readonly string[],
  url: string | null,
): Promise<LatestFailure[]> {
  const params: unknown[] = [domain, eventId, owners];
  if (url !== null) params.push(url);
  return sql<LatestFailure>(
    `SELECT DISTINCT ON (delivery_id) delivery_id, url, attempt, final, job
       FROM ${FAILURE_LOG_TABLE}
      WHERE domain = $1 AND event_id = $2 AND ${OWNER} = ANY($3::text[]) ${url !== null ? 'AND url = $4' : ''}
      ORDER BY delivery_id, attempt DESC`,
    params,
  );
}

/** The highest attempt a resend issued for each of these deliveries. */
export async function resentUpTo(sql: Sql, deliveryIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql<{ delivery_id: string; attempt: number }>(
    `SELECT delivery_id, attempt FROM webhook_failure_resends WHERE delivery_id = ANY($1::text[])`,
    [deliveryIds],
  );
  return new Map(rows.map((r) => [r.delivery_id, r.attempt]));
}

/**
 * Records resends (delivery id -> the attempt issued) unless a concurrent resend issued that attempt
 * (or a later one) first; answers the deliveries this call may send.
 */
export async function claimResends(
  sql: Sql,
  claims: ReadonlyArray<{ delivery_id: string; attempt: number }>,
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const rows = await sql<{ delivery_id: string }>(
    `INSERT INTO webhook_failure_resends AS r (delivery_id, attempt, resent_at)
     SELECT c.delivery_id, c.attempt, now() FROM unnest($1::text[], $2::integer[]) AS c(delivery_id, attempt)
     ON CONFLICT (delivery_id) DO UPDATE SET attempt = EXCLUDED.attempt, resent_at = now()
       WHERE r.attempt < EXCLUDED.attempt
     RETURNING delivery_id`,
    [claims.map((c) => c.delivery_id), claims.map((c) => c.attempt)],
  );
  return new Set(rows.map((r) => r.delivery_id));
}
