import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
// Each from its own file, not the packages' index: the rebuild tool loads this, and the indexes bring NestJS,
// gRPC and the OpenTelemetry SDK (1,692 modules and a 26 MB heap instead of 390 and 12 MB).
import { PendingCommits } from '@hookpost/kafka/commit-timer';
import { onConsumerDeath } from '@hookpost/kafka/crash';
import { ConsumerDrain } from '@hookpost/kafka/drain';
import type { FetchPacing } from '@hookpost/kafka/fetch';
import { reportBatchLag } from '@hookpost/telemetry/metrics';
import { withProcessSpanSync } from '@hookpost/telemetry/trace-context';
import { projectBatch, type ProjectedBatch, type Projection } from '@hookpost/domain';

export interface BatchContext {
  topic: string;
  partition: number;
}

/** A record the failure log makes no row of, and why. */
export interface RowRejection {
  offset: string;
  reason: string;
}

/** How a batch whose write fails for its rows' sake is written instead: row by row. */
export interface RowByRow<P> {
  /** The batch as parts of one row each, with the offset of the record each row came from. */
  split: (projected: P) => Array<{ part: P; offset: string }>;
  /** Whether a write failed because of its rows (then each is written alone), not the database. */
  isRowError: (err: unknown) => boolean;
  /** Sends the records whose row could not be written, with the reason, to the rejected topic. */
  reject: (rejections: Array<{ message: KafkaMessage; reason: string }>, ctx: BatchContext) => Promise<void>;
}

/** Why PostgreSQL refused a row written alone: its message and SQLSTATE (never the statement or values). */
function rowErrorReason(err: unknown): string {
  const { message, code } = err as { message?: unknown; code?: unknown };
  return `failure log: PostgreSQL refused the row: ${String(message).slice(0, 500)} (SQLSTATE ${String(code)})`;
}

/**
 * Writes a batch; when that fails because of its rows, writes each row alone and answers those that
 * still fail, with the reason. Any other error (the database unreachable, shutting down) is thrown, for
 * the caller to wait and try again: it never rejects a row.
 */
export async function writeOrSplit<P>(
  projected: P,
  write: (projected: P) => Promise<void>,
  rowByRow: Pick<RowByRow<P>, 'split' | 'isRowError'>,
  heartbeat: () => Promise<void>,
): Promise<RowRejection[]> {
  try {
    await write(projected);
    return [];
  } catch (err) {
    if (!rowByRow.isRowError(err)) throw err;
  }
  const rejected: RowRejection[] = [];
  for (const { part, offset } of rowByRow.split(projected)) {
    try {
      await write(part);
    } catch (err) {
      if (!rowByRow.isRowError(err)) throw err;
      rejected.push({ offset, reason: rowErrorReason(err) });
    }
    await heartbeat();
  }
  return rejected;
}

export interface AttemptsConsumerOptions<P extends Projection> {
  kafka: Kafka;
  groupId: string;
  topic: string;
  logger: Logger;
  /** Turns a batch's records into what `write` takes. */
  project: (messages: KafkaMessage[], ctx: BatchContext) => P | Promise<P>;
  /** Writes a batch with one statement; resolves once it is committed. */
  write: (projected: P) => Promise<void>;
  /**
   * Commit the group's offsets once batches are written (a replay that never resumes does not): every
   * `commitIntervalMs` (default 100), all partitions in one request, and on stop.
   */
  commit: boolean;
  commitIntervalMs?: number;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  partitionsConsumedConcurrently?: number;
  /** When the broker answers a fetch (default: at the first record, or after 100 ms). */
  fetch?: FetchPacing;
  /** What to do when the consumer dies for good (kafkajs will not restart it); the service exits by default. */
  die?: () => void;
  /** Only these partitions are consumed; the others are paused when first seen (default: all). */
  ownsPartition?: (partition: number) => boolean;
  /** Called once a batch is written (its commit follows within the interval). */
  onBatch?: (partition: number, lastOffset: string, projected: P) => void;
  /**
   * Where a batch that fails because of its rows falls back to writing them one by one, and where the
   * records whose row cannot be written go (those of `projected.rejected` too). Without it (a rebuild),
   * those are skipped and a failing write is retried.
   */
  rowByRow?: RowByRow<P>;
}

/**
 * The live projection of a batch: its failure rows, each record handled in its trace's `process` span
 * (the failure log is where a delivery's trace ends).
 */
export function tracedProjection(groupId: string) {
  return (messages: KafkaMessage[], ctx: BatchContext): ProjectedBatch =>
    projectBatch(messages, (message, handle) =>
      withProcessSpanSync({ ...ctx, offset: message.offset, headers: message.headers, groupId }, handle),
    );
}

/**
 * Reads `webhook.delivery-attempts` a batch at a time and writes what each batch projects to with one
 * statement; written batches' offsets are committed together every 100 ms (one request per batch was
 * most of the config service's Kafka traffic): at least once, idempotent because rows are keyed by
 * attempt id. A failing write is retried while the partition stays assigned, heartbeating meanwhile.
 */
export class AttemptsConsumer<P extends Projection> {
  private readonly consumer: Consumer;
  private readonly commits: PendingCommits | null;
  private readonly drain = new ConsumerDrain();
  private running = false;

  constructor(private readonly opts: AttemptsConsumerOptions<P>) {
    const session = opts.sessionTimeoutMs ?? 30_000;
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: session,
      heartbeatInterval: Math.floor(session / 10),
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: opts.maxBytes ?? 16 * 1024 * 1024,
      ...(opts.fetch ?? { minBytes: 1, maxWaitTimeInMs: 100 }),
    });
    this.commits = opts.commit
      ? new PendingCommits(this.consumer, opts.commitIntervalMs ?? 100, opts.logger)
      : null;
    onConsumerDeath(this.consumer, opts.logger, () => (this.running = false), opts.die);
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    const { topic, logger } = this.opts;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 3,
      eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }) =>
        this.drain.run(async () => {
          if (this.opts.ownsPartition && !this.opts.ownsPartition(batch.partition)) {
            pause();
            return;
          }
          if (batch.messages.length === 0 || this.drain.stopping || !isRunning() || isStale()) return;
          const projected = await this.opts.project(batch.messages, {
            topic: batch.topic,
            partition: batch.partition,
          });
          if (projected.invalid.length > 0) {
            logger.warn(
              { topic: batch.topic, partition: batch.partition, invalid: projected.invalid.slice(0, 5) },
              `${projected.invalid.length} invalid attempt record(s) skipped`,
            );
          }
          let rejected: RowRejection[] = projected.rejected;
          for (let attempt = 0; ; attempt++) {
            try {
              const { rowByRow } = this.opts;
              if (rowByRow) {
                const failed = await writeOrSplit(projected, this.opts.write, rowByRow, heartbeat);
                rejected = [...projected.rejected, ...failed];
              } else {
                await this.opts.write(projected);
              }
              break;
            } catch (err) {
              if (this.drain.stopping) return; // stopping: the batch stays uncommitted, read again next time
              if (!isRunning() || isStale()) throw err;
              logger.warn({ err, partition: batch.partition }, 'failure log write failed; retrying');
              await sleep(Math.min(5000, 100 * 2 ** attempt));
              await heartbeat();
            }
          }
          if (rejected.length > 0) {
            await this.reject(rejected, batch.messages, { topic: batch.topic, partition: batch.partition });
          }
          const last = batch.lastOffset();
          reportBatchLag(this.opts.groupId, batch);
          resolveOffset(last);
          this.commits?.done(batch.topic, batch.partition, last);
          this.opts.onBatch?.(batch.partition, last, projected);
          await heartbeat();
        }),
    });
    this.running = true;
  }

  /** Sends records the failure log could not hold to the rejected topic (a rebuild only logs them). */
  private async reject(rejected: RowRejection[], messages: KafkaMessage[], ctx: BatchContext) {
    const byOffset = new Map(messages.map((m) => [m.offset, m]));
    const { rowByRow, logger } = this.opts;
    if (rowByRow) {
      await rowByRow.reject(
        rejected.map(({ offset, reason }) => ({ message: byOffset.get(offset)!, reason })),
        ctx,
      );
    }
    logger.warn(
      { ...ctx, rejected: rejected.slice(0, 5) },
      `${rejected.length} attempt record(s) the failure log cannot hold ${rowByRow ? 'sent to the rejected topic' : 'skipped'}`,
    );
  }

  /** Stops fetching (a batch being written finishes first), commits what was written, leaves the group. */
  async stop(): Promise<void> {
    if (this.drain.stopping) return;
    this.running = false;
    await this.drain.stop(this.consumer, [this.opts.topic], async () => this.commits?.flush());
  }
}
