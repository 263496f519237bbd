import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { reportBatchLag, withProcessSpanSync } from '@hookpost/telemetry';
import { PendingCommits } from './commit-timer';
import { ConsumerDrain } from './drain';
import { onConsumerDeath, stopWithDeadConsumerCode } from './crash';
import { PIPELINE_FETCH, type FetchPacing } from './fetch';
import type { BatchingProducer, OutgoingRecord } from './producer';

export interface TransformContext {
  topic: string;
  partition: number;
}

export type Transform = (message: KafkaMessage, ctx: TransformContext) => OutgoingRecord[];

export interface TransformConsumerOptions {
  /** Consumer group session timeout: how soon a dead member's partitions are reassigned. */
  sessionTimeoutMs?: number;
  /** What a failed send does once commits are halted (default: stop the service with the dead-consumer code). */
  die?: () => void;
  kafka: Kafka;
  producer: BatchingProducer;
  groupId: string;
  topic: string;
  transform: Transform;
  logger: Logger;
  /** How long a resolved offset may wait to be committed with others (one commit request, not one per batch). */
  commitIntervalMs?: number;
  /** When the broker answers a fetch (default PIPELINE_FETCH: a stage of produce-to-POST). */
  fetch?: FetchPacing;
}

/** Batches whose outputs may wait for their acknowledgement at once, before fetching waits for them. */
export const MAX_UNACKNOWLEDGED_BATCHES = 16;

/**
 * Consume a batch, map every message to what it produces, produce it all (acks=all), commit once it is
 * acknowledged. At-least-once: an offset is committed only after its outputs are acknowledged.
 *
 * Fetching does not wait for the acknowledgement (up to MAX_UNACKNOWLEDGED_BATCHES batches): the next
 * fetch overlaps the produce request, which took a third to a half of each hop's latency at 1,000
 * events/s. The producer sends in order, so a partition's outputs keep their order; if a send fails,
 * nothing more is committed (`halt`: a later batch's acknowledgement must not commit past it) and the
 * service stops with the dead-consumer code, to read again from the last commit. Commits of all
 * partitions go together every `commitIntervalMs`.
 */
export class TransformConsumer {
  private readonly consumer: Consumer;
  private running = false;
  /** Offsets whose outputs are acknowledged, committed every `commitIntervalMs`. */
  private readonly commits: PendingCommits;
  private readonly drain = new ConsumerDrain();
  /** Sends not yet acknowledged (each settles, failed or not, and leaves the set). */
  private readonly unacknowledged = new Set<Promise<void>>();

  constructor(private readonly opts: TransformConsumerOptions) {
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.floor((opts.sessionTimeoutMs ?? 30_000) / 10),
      maxBytesPerPartition: 1024 * 1024,
      ...(opts.fetch ?? PIPELINE_FETCH),
    });
    this.commits = new PendingCommits(this.consumer, opts.commitIntervalMs ?? 100, opts.logger);
    onConsumerDeath(this.consumer, opts.logger, () => (this.running = false));
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    const { topic, transform, producer } = this.opts;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
        this.drain.run(async () => {
          if (batch.messages.length === 0 || this.drain.stopping || !isRunning() || isStale()) return;
          const ctx = { topic: batch.topic, partition: batch.partition };
          const out: OutgoingRecord[] = [];
          for (const message of batch.messages) {
            const consumed = {
              ...ctx,
              offset: message.offset,
              headers: message.headers,
              groupId: this.opts.groupId,
            };
            out.push(...withProcessSpanSync(consumed, () => transform(message, ctx)));
          }
          const last = batch.lastOffset();
          this.acknowledged(producer.send(out), batch.topic, batch.partition, last);
          reportBatchLag(this.opts.groupId, batch);
          resolveOffset(last);
          while (this.unacknowledged.size >= MAX_UNACKNOWLEDGED_BATCHES) {
            await Promise.race(this.unacknowledged);
          }
          await heartbeat();
        }),
    });
    this.running = true;
  }

  /** Commits the batch once `sent` is acknowledged; a failed send halts commits and stops the service. */
  private acknowledged(sent: Promise<void>, topic: string, partition: number, lastOffset: string): void {
    const generation = this.commits.currentGeneration;
    const settled: Promise<void> = sent
      .then(
        () => this.commits.done(topic, partition, lastOffset, generation),
        (err: unknown) => {
          this.commits.halt();
          if (!this.running) return;
          this.running = false;
          this.opts.logger.fatal(
            { err, topic, partition },
            'producing a batch failed; stopping to read it again',
          );
          (this.opts.die ?? stopWithDeadConsumerCode)();
        },
      )
      .finally(() => this.unacknowledged.delete(settled));
    this.unacknowledged.add(settled);
  }

  /**
   * Stops fetching (the batch under way completes), waits for what was produced to be acknowledged,
   * commits it, disconnects.
   */
  async stop(): Promise<void> {
    this.running = false;
    await this.drain.stop(
      this.consumer,
      [this.opts.topic],
      () => this.commits.flush(),
      async () => {
        await Promise.all(this.unacknowledged);
      },
    );
  }
}
