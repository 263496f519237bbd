/**
 * The failure log's reads, for the API: lists, the latest failures of an event (resends) and the resend
 * bookkeeping. Runs on TypeORM's manager. The projection that writes the table is apps/failure-log.
 */
import { FAILURE_LOG_TABLE, fromMs, type Sql } from '@hookpost/persistence';
import {
  pageOrder,
  type FailureQuery,
  type FailureScope,
  type LatestFailure,
  type ListedFailureFields,
} from '@hookpost/domain';

export type { Sql } from '@hookpost/persistence';

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
