/**
 * The failure log's table, as both of its sides use it: the projection (apps/failure-log) writes it, the
 * config API reads it. Plain values, no TypeORM: the rebuild tool loads this file alone.
 */
export const FAILURE_LOG_TABLE = 'webhook_failures';

/** Runs one statement and answers its rows (TypeORM's manager in the API, a pg client in the projection). */
export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/** Epoch ms (a bigint expression) -> timestamptz, exactly (no float seconds in between). */
export const fromMs = (expr: string) => `(timestamptz 'epoch' + ${expr} * interval '1 millisecond')`;
