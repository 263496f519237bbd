import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
// From its own file, not the package's index: the failure-log rebuild tool runs this, and the index
// brings the OpenTelemetry SDK.
import { reportBatchLag } from '@hookpost/telemetry/metrics';
import { PendingCommits } from './commit-timer';
import { onConsumerDeath } from './crash';
import { ConsumerDrain } from './drain';
import type { FetchPacing } from './fetch';

export interface BatchContext {
  topic: string;
  partition: number;
}

/** What `write` gets beside the prepared batch: the batch's records, and a heartbeat for long writes. */
export interface BatchWrite extends BatchContext {
  messages: KafkaMessage[];
  heartbeat: () => Promise<void>;
}

export interface BatchConsumerOptions<P> {
  kafka: Kafka;
  groupId: string;
  topic: string;
  logger: Logger;
  /** What the batches are written to, for log lines ("failure log": "failure log write failed; retrying"). */
  name: string;
  /** Turns a batch's records into what `write` takes; once per batch (a failed write is not prepared again). */
  prepare: (messages: KafkaMessage[], ctx: BatchContext) => P | Promise<P>;
  /**
   * Writes a prepared batch; resolves once it is durable. A failure is retried (backoff up to 5 s,
   * heartbeating) while the partition stays assigned; a stop meanwhile leaves the batch uncommitted.
   */
  write: (prepared: P, batch: BatchWrite) => Promise<void>;
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
  onBatch?: (partition: number, lastOffset: string, prepared: P) => void;
}

/**
 * Reads a topic a batch at a time and writes each batch whole (one statement, one COPY) before the next
 * of its partition: for a projection into a database, where a batch is the unit of work. Written
 * batches' offsets are committed together every `commitIntervalMs`: at least once, so `write` must be
 * idempotent. A stop lets the batches under way finish, commits them, then leaves the group.
 */
export class BatchConsumer<P> {
  private readonly consumer: Consumer;
  private readonly commits: PendingCommits | null;
  private readonly drain = new ConsumerDrain();
  private running = false;

  constructor(private readonly opts: BatchConsumerOptions<P>) {
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
    const { topic, logger, name } = this.opts;
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
          const ctx = { topic: batch.topic, partition: batch.partition };
          const prepared = await this.opts.prepare(batch.messages, ctx);
          for (let attempt = 0; ; attempt++) {
            try {
              await this.opts.write(prepared, { ...ctx, messages: batch.messages, heartbeat });
              break;
            } catch (err) {
              if (this.drain.stopping) return; // stopping: the batch stays uncommitted, read again next time
              if (!isRunning() || isStale()) throw err;
              logger.warn({ err, partition: batch.partition }, `${name} write failed; retrying`);
              await sleep(Math.min(5000, 100 * 2 ** attempt));
              await heartbeat();
            }
          }
          const last = batch.lastOffset();
          reportBatchLag(this.opts.groupId, batch);
          resolveOffset(last);
          this.commits?.done(batch.topic, batch.partition, last);
          this.opts.onBatch?.(batch.partition, last, prepared);
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
