import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
// From its own file, not the package's index: the failure-log rebuild tool runs this, and the index
// brings the OpenTelemetry SDK.
import { reportBatchLag } from '@hookpost/telemetry/metrics';
import { ConsumerLoop, groupOptions, type ConsumerGroupOptions } from './consumer-loop';
import { PROMPT_FETCH, type FetchPacing } from './fetch';

export interface BatchContext {
  topic: string;
  partition: number;
}

/** What `write` gets beside the prepared batch: the batch's records, and a heartbeat for long writes. */
export interface BatchWrite extends BatchContext {
  messages: KafkaMessage[];
  heartbeat: () => Promise<void>;
}

export interface BatchConsumerOptions<P> extends ConsumerGroupOptions {
  topic: string;
  /** What the batches are written to, for log lines ("failure log": "failure log write failed; retrying"). */
  name: string;
  /** Turns a batch's records into what `write` takes; once per batch (a failed write is not prepared again). */
  prepare: (messages: KafkaMessage[], ctx: BatchContext) => P | Promise<P>;
  /**
   * Writes a prepared batch; resolves once it is durable. A failure is retried (backoff up to 5 s,
   * heartbeating) while the partition stays assigned; a stop meanwhile leaves the batch uncommitted.
   */
  write: (prepared: P, batch: BatchWrite) => Promise<void>;
  /** Batches of different partitions written at once (default 3). */
  partitionsConsumedConcurrently?: number;
  /**
   * When the broker answers a fetch (default PROMPT_FETCH: at the first record, or after 100 ms), and how
   * much it returns (default: 4 MiB per partition, 16 MiB per fetch: a batch is written whole).
   */
  fetch?: FetchPacing;
  /** What to do when the consumer dies for good (kafkajs will not restart it); the service exits by default. */
  die?: () => void;
  /** Only these partitions are consumed; the others are paused when first seen (default: all). */
  ownsPartition?: (partition: number) => boolean;
  /** Called once a batch is written (its commit follows within `commitIntervalMs`). */
  onBatch?: (partition: number, lastOffset: string, prepared: P) => void;
}

/**
 * Reads a topic a batch at a time and writes each batch whole (one statement, one COPY) before the next
 * of its partition: for a projection into a database, where a batch is the unit of work. Written
 * batches' offsets are committed together every `commitIntervalMs` (default 100): at least once, so
 * `write` must be idempotent. Its stop is the ConsumerLoop's: the batches under way finish (a write
 * failing meanwhile is not retried: its batch stays uncommitted), what was written is committed, then
 * the consumer leaves the group.
 */
export class BatchConsumer<P> {
  private readonly loop: ConsumerLoop;

  constructor(private readonly opts: BatchConsumerOptions<P>) {
    this.loop = new ConsumerLoop({
      ...groupOptions(opts),
      topics: [opts.topic],
      fetch: {
        maxBytesPerPartition: 4 * 1024 * 1024,
        maxBytes: 16 * 1024 * 1024,
        ...(opts.fetch ?? PROMPT_FETCH),
      },
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 3,
      die: opts.die,
    });
  }

  get isRunning(): boolean {
    return this.loop.isRunning;
  }

  start(): Promise<void> {
    return this.loop.start((payload) => this.take(payload));
  }

  /** Stops fetching (a batch being written finishes first), commits what was written, leaves the group. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async take(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, pause } = payload;
    if (this.opts.ownsPartition && !this.opts.ownsPartition(batch.partition)) {
      pause();
      return;
    }
    if (batch.messages.length === 0) return;
    const ctx = { topic: batch.topic, partition: batch.partition };
    const generation = this.loop.commits.currentGeneration; // a rejoin meanwhile: not ours to commit
    const prepared = await this.opts.prepare(batch.messages, ctx);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.opts.write(prepared, { ...ctx, messages: batch.messages, heartbeat });
        break;
      } catch (err) {
        if (this.loop.stopping) return; // the batch stays uncommitted, read again next time
        if (this.loop.ended(payload)) throw err; // the partition is no longer ours
        this.opts.logger.warn(
          { err, partition: batch.partition },
          `${this.opts.name} write failed; retrying`,
        );
        await sleep(Math.min(5000, 100 * 2 ** attempt));
        await heartbeat();
      }
    }
    const last = batch.lastOffset();
    reportBatchLag(this.opts.groupId, batch);
    resolveOffset(last);
    this.loop.commits.done(batch.topic, batch.partition, last, generation);
    this.opts.onBatch?.(batch.partition, last, prepared);
    await heartbeat();
  }
}
