import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { ConsumerDrain, onConsumerDeath, PendingCommits, type FetchPacing } from '@hookpost/kafka';
import { reportBatchLag, withProcessSpanSync } from '@hookpost/telemetry';
import { projectBatch, type ProjectedBatch, type Projection } from './failure-log';

export interface BatchContext {
  topic: string;
  partition: number;
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
          for (let attempt = 0; ; attempt++) {
            try {
              await this.opts.write(projected);
              break;
            } catch (err) {
              if (this.drain.stopping) return; // stopping: the batch stays uncommitted, read again next time
              if (!isRunning() || isStale()) throw err;
              logger.warn({ err, partition: batch.partition }, 'failure log write failed; retrying');
              await sleep(Math.min(5000, 100 * 2 ** attempt));
              await heartbeat();
            }
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

  /** Stops fetching (a batch being written finishes first), commits what was written, leaves the group. */
  async stop(): Promise<void> {
    if (this.drain.stopping) return;
    this.running = false;
    await this.drain.stop(this.consumer, [this.opts.topic], async () => this.commits?.flush());
  }
}
