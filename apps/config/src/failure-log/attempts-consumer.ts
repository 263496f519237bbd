import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { onConsumerDeath } from '@hookpost/kafka';
import { reportBatchLag, withProcessSpanSync } from '@hookpost/telemetry';
import { projectBatch, type FailureRow, type ProjectedBatch } from './failure-log';

export interface AttemptsConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  logger: Logger;
  /** Writes a batch's rows in one statement; resolves once they are committed. */
  write: (rows: FailureRow[]) => Promise<void>;
  /**
   * Live: commit the group's offsets after each write, and handle each record in its trace's `process`
   * span (the failure log is where a delivery's trace ends). A replay does neither.
   */
  live: boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  partitionsConsumedConcurrently?: number;
  /** What to do when the consumer dies for good (kafkajs will not restart it); the service exits by default. */
  die?: () => void;
  /** Only these partitions are consumed; the others are paused when first seen (default: all). */
  ownsPartition?: (partition: number) => boolean;
  /** Called once a batch is written (and committed, when live). */
  onBatch?: (partition: number, lastOffset: string, batch: ProjectedBatch) => void;
}

/**
 * Reads `webhook.delivery-attempts` a batch at a time and writes each batch's failure rows with one
 * statement, then (live) commits the batch's offsets: at least once, idempotent because rows are upserted
 * by attempt id. A failing write is retried while the partition stays assigned, heartbeating meanwhile.
 */
export class AttemptsConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private stopped = false;

  constructor(private readonly opts: AttemptsConsumerOptions) {
    const session = opts.sessionTimeoutMs ?? 30_000;
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: session,
      heartbeatInterval: Math.floor(session / 10),
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxBytes: opts.maxBytes ?? 16 * 1024 * 1024,
      maxWaitTimeInMs: 100,
    });
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
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }) => {
        if (this.opts.ownsPartition && !this.opts.ownsPartition(batch.partition)) {
          pause();
          return;
        }
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const ctx = { topic: batch.topic, partition: batch.partition };
        const projected = projectBatch(batch.messages, (message, handle) =>
          this.opts.live
            ? withProcessSpanSync(
                { ...ctx, offset: message.offset, headers: message.headers, groupId: this.opts.groupId },
                handle,
              )
            : handle(),
        );
        if (projected.invalid.length > 0) {
          logger.warn(
            { topic: batch.topic, partition: batch.partition, invalid: projected.invalid.slice(0, 5) },
            `${projected.invalid.length} invalid attempt record(s) skipped`,
          );
        }
        for (let attempt = 0; ; attempt++) {
          try {
            await this.opts.write(projected.rows);
            break;
          } catch (err) {
            if (!isRunning() || isStale()) throw err;
            logger.warn({ err, partition: batch.partition }, 'failure log write failed; retrying');
            await sleep(Math.min(5000, 100 * 2 ** attempt));
            await heartbeat();
          }
        }
        const last = batch.lastOffset();
        reportBatchLag(this.opts.groupId, batch);
        resolveOffset(last);
        if (this.opts.live) {
          await this.consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
          ]);
        }
        this.opts.onBatch?.(batch.partition, last, projected);
        await heartbeat();
      },
    });
    this.running = true;
  }

  /** Stops fetching (a batch being written finishes first) and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    await this.consumer.disconnect();
  }
}
