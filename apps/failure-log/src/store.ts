/**
 * The failure log's writes: the one upsert the live projection and the rebuild share, the rebuild's COPY,
 * and the locks between them. Runs on any executor (a pg client or pool; see Sql). The API's reads are in
 * apps/config/src/failure-log/failure-log.store.ts.
 */
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
// From its own file, not the package's index (TypeORM and the entities): the rebuild tool loads this.
import { fromMs, type Sql } from '@hookpost/persistence/failure-log';
import type { FailureRow } from '@hookpost/domain';
import { FAILURE_LOG_COLUMNS, pgJson } from './pg-text';

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

/**
 * One statement for a whole batch: the rows travel as one JSON array (json_to_recordset: as fast as
 * unnest of one array per column, and one parameter; `json`, so only each row's job is built as jsonb),
 * the primary account is resolved from `accounts` in the same statement, and an
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
