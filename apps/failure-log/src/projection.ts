import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
// Each from its own file, not the packages' index: the rebuild tool loads this, and the indexes bring NestJS,
// gRPC and the OpenTelemetry SDK (1,692 modules and a 26 MB heap instead of 390 and 12 MB).
import type { BatchConsumerOptions, BatchContext } from '@hookpost/kafka/batch-consumer';
import { withProcessSpanSync } from '@hookpost/telemetry/trace-context';
import { projectBatch, type ProjectedBatch, type Projection } from '@hookpost/domain';

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

/** One way of projecting `webhook.delivery-attempts`: the live projection's, or a stage of a rebuild's. */
export interface ProjectionStage<P extends Projection> {
  /** Turns a batch's records into what `write` takes. */
  project: (messages: KafkaMessage[], ctx: BatchContext) => P | Promise<P>;
  /** Writes a batch with one statement; resolves once it is committed. */
  write: (projected: P) => Promise<void>;
  /**
   * Where a batch that fails because of its rows falls back to writing them one by one, and where the
   * records whose row cannot be written go (those of `projected.rejected` too). Without it (a rebuild),
   * those are skipped and a failing write is retried.
   */
  rowByRow?: RowByRow<P>;
}

/**
 * A projection stage as a BatchConsumer's `prepare` and `write`: records that are not valid attempts are
 * logged and skipped; those the failure log cannot hold go to the rejected topic (the live projection)
 * or are logged and skipped (a rebuild).
 */
export function projectionBatches<P extends Projection>(
  stage: ProjectionStage<P>,
  logger: Logger,
): Pick<BatchConsumerOptions<P>, 'name' | 'prepare' | 'write'> {
  const { rowByRow } = stage;
  return {
    name: 'failure log',
    prepare: async (messages, ctx) => {
      const projected = await stage.project(messages, ctx);
      if (projected.invalid.length > 0) {
        logger.warn(
          { ...ctx, invalid: projected.invalid.slice(0, 5) },
          `${projected.invalid.length} invalid attempt record(s) skipped`,
        );
      }
      return projected;
    },
    write: async (projected, batch) => {
      let rejected: RowRejection[] = projected.rejected;
      if (rowByRow) {
        rejected = [...rejected, ...(await writeOrSplit(projected, stage.write, rowByRow, batch.heartbeat))];
      } else {
        await stage.write(projected);
      }
      if (rejected.length === 0) return;
      const ctx = { topic: batch.topic, partition: batch.partition };
      if (rowByRow) {
        const byOffset = new Map(batch.messages.map((m) => [m.offset, m]));
        await rowByRow.reject(
          rejected.map(({ offset, reason }) => ({ message: byOffset.get(offset)!, reason })),
          ctx,
        );
      }
      logger.warn(
        { ...ctx, rejected: rejected.slice(0, 5) },
        `${rejected.length} attempt record(s) the failure log cannot hold ${rowByRow ? 'sent to the rejected topic' : 'skipped'}`,
      );
    },
  };
}
