/**
 * Rebuilds the failure log from offset 0 of `webhook.delivery-attempts` into a fresh table and swaps it
 * in atomically, without losing what the live projection writes meanwhile:
 *
 *   1. a throwaway consumer (own group, from the beginning, never commits) replays the topic into
 *      `webhook_failures_rebuild` (primary key only, so the bulk load is cheap) up to the high
 *      watermarks taken at the start; the live projection goes on writing `webhook_failures`;
 *   2. the secondary indexes are built on the new table;
 *   3. the rebuild takes the projection lock exclusively: live batches (which hold it shared for their
 *      transaction) finish, and the next ones wait. Every record the live projection has written is now
 *      below the topic's current high watermarks: the replay catches up to those;
 *   4. in one transaction the old table is dropped and the new one renamed into its place (indexes and
 *      constraints too); the lock is released and the live projection carries on from its committed
 *      offsets, upserting into the new table (idempotent: rows are keyed by attempt id).
 *
 * Readers wait only for the swap transaction; live writes wait while the replay catches up with what
 * arrived during steps 1-2.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { AttemptsConsumer } from './attempts-consumer';
import { FAILURE_LOG_TABLE, PROJECTION_LOCK, REBUILD_LOCK, upsertRows, type Sql } from './failure-log.store';

export const REBUILD_TABLE = `${FAILURE_LOG_TABLE}_rebuild`;

export interface RebuildOptions {
  kafka: Kafka;
  /** Connections for the replay's writes (synchronous_commit may be off) and the swap. */
  pool: Pool;
  /** The attempts topic (prefixed). */
  topic: string;
  /** Base of the throwaway consumer group's id (prefixed). */
  groupBase: string;
  logger: Logger;
  /** Partitions written at once (each write takes one connection of the pool). */
  concurrency?: number;
  /** Consumers sharing the replay (default 2), so that fetching overlaps writing. */
  members?: number;
  /** Give up when the replay makes no progress for this long. */
  stallTimeoutMs?: number;
}

export interface RebuildResult {
  /** Attempt records replayed (delivered ones included). */
  attempts: number;
  /** Rows of the failure log after the swap. */
  rows: number;
  seconds: number;
  attempts_per_s: number;
  /** How long live writes waited for the catch-up and the swap. */
  locked_ms: number;
  /** Seconds of the replay up to the start's watermarks, and of the index build. */
  replay_s: number;
  index_s: number;
}

type Offsets = Map<number, bigint>;

const sqlOf =
  (client: Pool | PoolClient): Sql =>
  async <T>(text: string, params?: unknown[]) =>
    (await client.query(text, params)).rows as T[];

/** The topic's high watermark per partition that has records (the replay must reach high - 1). */
async function highWatermarks(kafka: Kafka, topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(
      offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Creates the new table: the live table's columns and checks, its primary key; no other index yet. */
async function prepareTable(sql: Sql): Promise<void> {
  await sql(`DROP TABLE IF EXISTS ${REBUILD_TABLE}`);
  await sql(
    `CREATE TABLE ${REBUILD_TABLE} (LIKE ${FAILURE_LOG_TABLE}
       INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)`,
  );
  await sql(`ALTER TABLE ${REBUILD_TABLE} ADD CONSTRAINT ${REBUILD_TABLE}_pkey PRIMARY KEY (attempt_id)`);
}

interface IndexCopy {
  /** The live table's index name, which the copy takes at the swap. */
  name: string;
  temporary: string;
  create: string;
}

/** The live table's indexes (but its primary key) as statements building them on the new table. */
async function secondaryIndexes(sql: Sql): Promise<{ primaryKey: string; copies: IndexCopy[] }> {
  const rows = await sql<{ name: string; def: string; primary: boolean }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def, x.indisprimary AS primary
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass
      ORDER BY i.relname`,
    [FAILURE_LOG_TABLE],
  );
  const primaryKey = rows.find((r) => r.primary)?.name;
  if (!primaryKey) throw new Error(`${FAILURE_LOG_TABLE} has no primary key`);
  const copies = rows
    .filter((r) => !r.primary)
    .map((r, i) => {
      const match = /^(CREATE (?:UNIQUE )?INDEX) \S+ ON \S+ (USING .*)$/.exec(r.def);
      if (!match) throw new Error(`unexpected index definition: ${r.def}`);
      const temporary = `${REBUILD_TABLE}_idx${i}`;
      return { name: r.name, temporary, create: `${match[1]} ${temporary} ON ${REBUILD_TABLE} ${match[2]}` };
    });
  return { primaryKey, copies };
}

/**
 * Replays the topic into the new table and tracks how far each partition got. Several consumers share
 * the partitions (each in a throwaway group of its own, pausing the partitions of the others: no
 * rebalances between them): kafkajs fetches again only once a fetch's batches are written, so one
 * consumer fetches while another writes.
 */
class Replay {
  readonly applied = new Map<number, bigint>();
  attempts = 0;
  readonly groupIds: string[];
  private readonly members: AttemptsConsumer[];
  private lastProgressAt = Date.now();
  private dead = false;

  constructor(
    private readonly opts: RebuildOptions,
    groupBase: string,
  ) {
    const sql = sqlOf(opts.pool);
    const concurrency = opts.concurrency ?? 4;
    const count = Math.max(1, opts.members ?? 2);
    this.groupIds = Array.from({ length: count }, (_, i) => `${groupBase}-${i}`);
    this.members = this.groupIds.map(
      (groupId, i) =>
        new AttemptsConsumer({
          kafka: opts.kafka,
          groupId,
          topic: opts.topic,
          logger: opts.logger,
          live: false,
          maxBytesPerPartition: 16 * 1024 * 1024,
          maxBytes: 64 * 1024 * 1024,
          partitionsConsumedConcurrently: Math.max(1, Math.ceil(concurrency / count)),
          ownsPartition: (partition) => partition % count === i,
          write: (rows) => upsertRows(sql, REBUILD_TABLE, rows),
          die: () => (this.dead = true),
          onBatch: (partition, lastOffset, batch) => {
            this.applied.set(partition, BigInt(lastOffset));
            this.attempts += batch.attempts + batch.invalid.length;
            this.lastProgressAt = Date.now();
          },
        }),
    );
  }

  async start(): Promise<void> {
    this.lastProgressAt = Date.now();
    await Promise.all(this.members.map((m) => m.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()));
  }

  private reached(targets: Offsets): boolean {
    for (const [partition, high] of targets) {
      const done = this.applied.get(partition);
      if (done === undefined || done + 1n < high) return false;
    }
    return true;
  }

  async until(targets: Offsets): Promise<void> {
    this.lastProgressAt = Date.now();
    let reported = Date.now();
    while (!this.reached(targets)) {
      if (this.dead) throw new Error('the replay consumer died');
      const stall = this.opts.stallTimeoutMs ?? 120_000;
      if (Date.now() - this.lastProgressAt > stall) {
        throw new Error(`the replay made no progress for ${stall} ms`);
      }
      if (Date.now() - reported > 5000) {
        reported = Date.now();
        this.opts.logger.info({ attempts: this.attempts }, 'replaying');
      }
      await sleep(20);
    }
  }
}

/** Replays `webhook.delivery-attempts` into a fresh table and swaps it in for the failure log. */
export async function rebuildFailureLog(opts: RebuildOptions): Promise<RebuildResult> {
  const { pool, kafka, logger } = opts;
  const started = Date.now();
  const lock = await pool.connect();
  const sql = sqlOf(lock);
  // The replay's writes may commit without waiting for the WAL flush (the pool's sessions set
  // synchronous_commit off); the swap commits with it, which flushes everything written before.
  await sql('SET synchronous_commit = on');
  let replay: Replay | null = null;
  let alone = false;
  try {
    [{ alone }] = await sql<{ alone: boolean }>('SELECT pg_try_advisory_lock($1) AS alone', [REBUILD_LOCK]);
    if (!alone) throw new Error('another failure-log rebuild is running');
    await prepareTable(sql);
    const { primaryKey, copies } = await secondaryIndexes(sql);

    const first = await highWatermarks(kafka, opts.topic);
    replay = new Replay(opts, `${opts.groupBase}-${hostname()}-${randomUUID().slice(0, 8)}`);
    await replay.start();
    await replay.until(first);
    const replayed = Date.now();
    logger.info({ attempts: replay.attempts }, 'replayed up to the start; building indexes');
    for (const index of copies) await sql(index.create);
    const indexed = Date.now();

    await sql('SELECT pg_advisory_lock($1)', [PROJECTION_LOCK]);
    const lockedAt = Date.now();
    try {
      await replay.until(await highWatermarks(kafka, opts.topic));
      await replay.stop();
      await sql('BEGIN');
      try {
        await sql(`LOCK TABLE ${FAILURE_LOG_TABLE} IN ACCESS EXCLUSIVE MODE`);
        await sql(`DROP TABLE ${FAILURE_LOG_TABLE}`);
        await sql(`ALTER TABLE ${REBUILD_TABLE} RENAME TO ${FAILURE_LOG_TABLE}`);
        await sql(
          `ALTER TABLE ${FAILURE_LOG_TABLE} RENAME CONSTRAINT ${REBUILD_TABLE}_pkey TO ${primaryKey}`,
        );
        for (const index of copies) await sql(`ALTER INDEX ${index.temporary} RENAME TO ${index.name}`);
        await sql('COMMIT');
      } catch (err) {
        await sql('ROLLBACK');
        throw err;
      }
    } finally {
      await sql('SELECT pg_advisory_unlock($1)', [PROJECTION_LOCK]);
    }
    const lockedMs = Date.now() - lockedAt;
    const [{ count }] = await sql<{ count: string }>(`SELECT count(*) AS count FROM ${FAILURE_LOG_TABLE}`);
    const seconds = (Date.now() - started) / 1000;
    return {
      attempts: replay.attempts,
      rows: Number(count),
      seconds,
      attempts_per_s: Math.round(replay.attempts / seconds),
      locked_ms: lockedMs,
      replay_s: (replayed - started) / 1000,
      index_s: (indexed - replayed) / 1000,
    };
  } finally {
    if (replay) {
      await replay.stop().catch(() => undefined);
      const admin = kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups(replay!.groupIds))
        .catch((err) => logger.warn({ err }, 'could not delete the replay consumer groups'))
        .finally(() => admin.disconnect());
    }
    if (alone) await sql('SELECT pg_advisory_unlock($1)', [REBUILD_LOCK]).catch(() => undefined);
    lock.release();
  }
}
