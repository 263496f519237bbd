/**
 * Rebuilds the failure log from offset 0 of `webhook.delivery-attempts` into a fresh table and swaps it
 * in atomically, without losing what the live projection writes meanwhile:
 *
 *   1. bulk load: a throwaway consumer (own groups, from the beginning) replays the topic up to the high
 *      watermarks taken at the start into `webhook_failures_rebuild`, which has no index yet: worker
 *      threads decode and validate the records and turn them into COPY text, the fetching thread streams
 *      it to PostgreSQL (COPY, one statement per batch). Each row carries its batch's last offset; the
 *      groups commit their offsets. The live projection goes on writing `webhook_failures`;
 *   2. the primary accounts of accounts that changed since the decoders' snapshot; the primary key and
 *      the secondary indexes; of an attempt id loaded twice (a redelivered attempt) only the later row
 *      stays, as the live upsert keeps the later record (buildIndexes);
 *   3. catch-up: the groups resume from their committed offsets, now upserting (the live projection's
 *      statement); once near the topic's end, the rebuild takes the projection lock exclusively: live
 *      batches (which hold it shared for their transaction) finish, and the next ones wait. Every record
 *      the live projection has written is now below the topic's current high watermarks: the replay
 *      catches up to those;
 *   4. in one transaction the old table is dropped and the new one renamed into its place (indexes and
 *      constraints too); the lock is released and the live projection carries on from its committed
 *      offsets, upserting into the new table (idempotent: rows are keyed by attempt id).
 *
 * Readers wait only for the swap transaction; live writes wait only while the replay catches up with
 * what arrived during the last moments of step 3.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { BatchConsumer } from '@hookpost/kafka/batch-consumer';
import { FAILURE_LOG_TABLE, type Sql } from '@hookpost/persistence/failure-log';
import { projectBatch, type Projection } from '@hookpost/domain';
import { FAILURE_LOG_COLUMNS } from '../pg-text';
import { projectionBatches, type ProjectionStage } from '../projection';
import { copyText, PROJECTION_LOCK, REBUILD_LOCK, upsertRows } from '../store';
import { ReplayDecoders } from './replay-decoder';

export const REBUILD_TABLE = `${FAILURE_LOG_TABLE}_rebuild`;

/** The bulk load's extra column: the last offset of the batch a row came from (dropped before the swap). */
export const SEQ_COLUMN = 'replay_seq';

export interface RebuildOptions {
  kafka: Kafka;
  /** Connections for the replay's writes (synchronous_commit may be off) and the swap. */
  pool: Pool;
  /** The attempts topic (prefixed). */
  topic: string;
  /** Base of the throwaway consumer groups' ids (prefixed). */
  groupBase: string;
  logger: Logger;
  /** Partitions written at once (each write takes one connection of the pool). */
  concurrency?: number;
  /** Consumers sharing the replay (default 2), so that fetching overlaps writing. */
  members?: number;
  /** Worker threads decoding the bulk load (default: the CPUs, at most 4). */
  decoders?: number;
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
  /** Seconds of the bulk load up to the start's watermarks, and of de-duplication and index builds. */
  replay_s: number;
  index_s: number;
  /** Rows of attempt ids loaded more than once, removed before the primary key was built. */
  duplicates: number;
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

/** Creates the new table: the live table's columns and checks and the ordering column; no index yet. */
export async function prepareTable(sql: Sql): Promise<void> {
  await sql(`DROP TABLE IF EXISTS ${REBUILD_TABLE}`);
  await sql(
    `CREATE TABLE ${REBUILD_TABLE} (LIKE ${FAILURE_LOG_TABLE}
       INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)`,
  );
  await sql(`ALTER TABLE ${REBUILD_TABLE} ADD COLUMN ${SEQ_COLUMN} bigint NOT NULL`);
}

/** Each subaccount's parent, for the decoders to fill primary_account_id as the live upsert does. */
async function subaccounts(sql: Sql): Promise<Map<string, string>> {
  const rows = await sql<{ id: string; parent_id: string }>(
    'SELECT id, parent_id FROM accounts WHERE parent_id IS NOT NULL',
  );
  return new Map(rows.map((r) => [r.id, r.parent_id]));
}

/**
 * Keeps, of each attempt id loaded more than once, the row of the latest batch (within a partition,
 * the later record, as the live upsert keeps it); answers how many rows went.
 */
export async function removeDuplicates(sql: Sql): Promise<number> {
  const [{ removed }] = await sql<{ removed: string }>(
    `WITH gone AS (
       DELETE FROM ${REBUILD_TABLE} WHERE ctid IN (
         SELECT ctid FROM (
           SELECT ctid, row_number() OVER (PARTITION BY attempt_id ORDER BY ${SEQ_COLUMN} DESC, ctid DESC) AS n
             FROM ${REBUILD_TABLE}
            WHERE attempt_id IN (SELECT attempt_id FROM ${REBUILD_TABLE} GROUP BY attempt_id HAVING count(*) > 1)
         ) ranked WHERE n > 1)
       RETURNING 1)
     SELECT count(*) AS removed FROM gone`,
  );
  return Number(removed);
}

/**
 * primary_account_id of the subaccounts the decoders' snapshot did not know (made while the load ran):
 * their parent, as the live upsert resolves it.
 */
export async function refreshPrimaryAccounts(sql: Sql): Promise<void> {
  await sql(
    `UPDATE ${REBUILD_TABLE} f SET primary_account_id = a.parent_id
       FROM accounts a
      WHERE a.id = f.account_id AND a.parent_id IS NOT NULL AND f.primary_account_id IS DISTINCT FROM a.parent_id`,
  );
}

export interface IndexCopy {
  /** The live table's index name, which the copy takes at the swap. */
  name: string;
  temporary: string;
  create: string;
}

/**
 * The live table's indexes as statements building them on the new table (the primary key as a unique
 * index, which becomes the key afterwards: unlike ADD PRIMARY KEY it builds beside the others).
 */
export async function indexCopies(sql: Sql): Promise<{ primaryKey: IndexCopy; copies: IndexCopy[] }> {
  const rows = await sql<{ name: string; def: string; primary: boolean }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def, x.indisprimary AS primary
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass
      ORDER BY i.relname`,
    [FAILURE_LOG_TABLE],
  );
  const copies = rows.map((r, i) => {
    const match = /^(CREATE (?:UNIQUE )?INDEX) \S+ ON \S+ (USING .*)$/.exec(r.def);
    if (!match) throw new Error(`unexpected index definition: ${r.def}`);
    const temporary = r.primary ? `${REBUILD_TABLE}_pkey` : `${REBUILD_TABLE}_idx${i}`;
    return { name: r.name, temporary, create: `${match[1]} ${temporary} ON ${REBUILD_TABLE} ${match[2]}` };
  });
  const primaryKey = copies.find((_, i) => rows[i].primary);
  if (!primaryKey) throw new Error(`${FAILURE_LOG_TABLE} has no primary key`);
  return { primaryKey, copies: copies.filter((c) => c !== primaryKey) };
}

/**
 * Builds the new table's indexes at once, each on a connection of its own (CREATE INDEX locks only
 * against writes); answers how many duplicate rows went. Duplicates (an attempt id loaded twice: a
 * redelivered attempt) are rare, and looking for them was a full pass over the table before every build:
 * the unique index of the primary key finds them instead, and only when it fails for them are they
 * removed (removeDuplicates) and that index built again. The other indexes keep entries of the removed
 * rows until the table is vacuumed, as after any delete.
 */
export async function buildIndexes(
  sql: Sql,
  poolSql: Sql,
  primaryKey: IndexCopy,
  copies: readonly IndexCopy[],
): Promise<number> {
  const others = Promise.allSettled(copies.map((index) => poolSql(index.create)));
  const keyError = await poolSql(primaryKey.create).then(
    () => null,
    (err: unknown) => err,
  );
  const failed = (await others).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (keyError === null) return 0;
  if ((keyError as { code?: unknown }).code !== UNIQUE_VIOLATION) throw keyError;
  const removed = await removeDuplicates(sql);
  await sql(primaryKey.create);
  return removed;
}

const UNIQUE_VIOLATION = '23505';

/**
 * One stage of the replay (bulk load or catch-up), tracking how far each partition got. Several
 * consumers share the partitions (each in a throwaway group of its own, pausing the partitions of the
 * others: no rebalances between them): kafkajs fetches again only once a fetch's batches are written,
 * so one consumer fetches while another writes. They commit to their groups, so the next stage, in the
 * same groups, resumes where this one stopped.
 */
class Replay<P extends Projection> {
  readonly applied = new Map<number, bigint>();
  attempts = 0;
  private readonly members: Array<BatchConsumer<P>>;
  private lastProgressAt = Date.now();
  private dead = false;

  constructor(
    private readonly opts: RebuildOptions,
    groupIds: readonly string[],
    stage: ProjectionStage<P>,
  ) {
    const concurrency = opts.concurrency ?? 4;
    const count = groupIds.length;
    this.members = groupIds.map(
      (groupId, i) =>
        new BatchConsumer<P>({
          kafka: opts.kafka,
          groupId,
          topic: opts.topic,
          logger: opts.logger,
          ...projectionBatches(stage, opts.logger),
          commit: true,
          maxBytesPerPartition: 4 * 1024 * 1024,
          maxBytes: 16 * 1024 * 1024,
          partitionsConsumedConcurrently: Math.max(1, Math.ceil(concurrency / count)),
          ownsPartition: (partition) => partition % count === i,
          die: () => (this.dead = true),
          onBatch: (partition, lastOffset, projected) => {
            this.applied.set(partition, BigInt(lastOffset));
            this.attempts += projected.attempts + projected.invalid.length;
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

  private reached(targets: Offsets, from: Offsets): boolean {
    for (const [partition, high] of targets) {
      const done = this.applied.get(partition) ?? from.get(partition);
      if (done === undefined || done + 1n < high) return false;
    }
    return true;
  }

  /** Waits until every partition is read up to `targets` (`from`: where a previous stage got). */
  async until(targets: Offsets, from: Offsets = new Map()): Promise<void> {
    this.lastProgressAt = Date.now();
    let reported = Date.now();
    while (!this.reached(targets, from)) {
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
  const poolSql = sqlOf(pool);
  // The replay's writes may commit without waiting for the WAL flush (the pool's sessions set
  // synchronous_commit off); the swap commits with it, which flushes everything written before.
  await sql('SET synchronous_commit = on');
  const members = Math.max(1, opts.members ?? 2);
  const base = `${opts.groupBase}-${hostname()}-${randomUUID().slice(0, 8)}`;
  const groupIds = Array.from({ length: members }, (_, i) => `${base}-${i}`);
  const stages: Array<{ stop(): Promise<void> }> = [];
  let decoders: ReplayDecoders | null = null;
  let alone = false;
  try {
    [{ alone }] = await sql<{ alone: boolean }>('SELECT pg_try_advisory_lock($1) AS alone', [REBUILD_LOCK]);
    if (!alone) throw new Error('another failure-log rebuild is running');
    await prepareTable(sql);
    const { primaryKey, copies } = await indexCopies(sql);

    // 1. Bulk load.
    const first = await highWatermarks(kafka, opts.topic);
    const threads = opts.decoders ?? Math.min(4, availableParallelism());
    const decoding = new ReplayDecoders(threads, await subaccounts(sql));
    decoders = decoding; // closed in `finally` if the load fails
    const columns = [...FAILURE_LOG_COLUMNS, SEQ_COLUMN];
    const load = new Replay(opts, groupIds, {
      project: (messages) => decoding.decode(messages, messages[messages.length - 1].offset),
      write: async (batch) => {
        if (batch.rows === 0) return;
        const client = await pool.connect();
        try {
          await copyText(client, REBUILD_TABLE, columns, batch.copy);
        } finally {
          client.release();
        }
      },
    });
    stages.push(load);
    await load.start();
    await load.until(first);
    await load.stop();
    await decoding.close();
    decoders = null;
    const replayed = Date.now();

    // 2. Keys, indexes, de-duplication.
    logger.info({ attempts: load.attempts }, 'replayed up to the start; building indexes');
    await refreshPrimaryAccounts(sql);
    const duplicates = await buildIndexes(sql, poolSql, primaryKey, copies);
    await sql(`ALTER TABLE ${REBUILD_TABLE} DROP COLUMN ${SEQ_COLUMN}`);
    await sql(
      `ALTER TABLE ${REBUILD_TABLE} ADD CONSTRAINT ${primaryKey.temporary} PRIMARY KEY USING INDEX ${primaryKey.temporary}`,
    );
    const indexed = Date.now();

    // 3. Catch-up, resuming from the bulk load's committed offsets.
    const catchUp = new Replay(opts, groupIds, {
      project: (messages) => projectBatch(messages),
      write: ({ rows }) => upsertRows(poolSql, REBUILD_TABLE, rows),
    });
    stages.push(catchUp);
    await catchUp.start();
    await catchUp.until(await highWatermarks(kafka, opts.topic), load.applied);

    await sql('SELECT pg_advisory_lock($1)', [PROJECTION_LOCK]);
    const lockedAt = Date.now();
    try {
      await catchUp.until(await highWatermarks(kafka, opts.topic), load.applied);
      await catchUp.stop();
      // 4. The swap.
      await sql('BEGIN');
      try {
        await sql(`LOCK TABLE ${FAILURE_LOG_TABLE} IN ACCESS EXCLUSIVE MODE`);
        await sql(`DROP TABLE ${FAILURE_LOG_TABLE}`);
        await sql(`ALTER TABLE ${REBUILD_TABLE} RENAME TO ${FAILURE_LOG_TABLE}`);
        await sql(
          `ALTER TABLE ${FAILURE_LOG_TABLE} RENAME CONSTRAINT ${primaryKey.temporary} TO ${primaryKey.name}`,
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
    const attempts = load.attempts + catchUp.attempts;
    return {
      attempts,
      rows: Number(count),
      seconds,
      attempts_per_s: Math.round(attempts / seconds),
      locked_ms: lockedMs,
      replay_s: (replayed - started) / 1000,
      index_s: (indexed - replayed) / 1000,
      duplicates,
    };
  } finally {
    await Promise.all(stages.map((stage) => stage.stop().catch(() => undefined)));
    await decoders?.close().catch(() => undefined);
    if (stages.length > 0) {
      const admin = kafka.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups(groupIds))
        .catch((err) => logger.warn({ err }, 'could not delete the replay consumer groups'))
        .finally(() => admin.disconnect());
    }
    if (alone) await sql('SELECT pg_advisory_unlock($1)', [REBUILD_LOCK]).catch(() => undefined);
    lock.release();
  }
}
