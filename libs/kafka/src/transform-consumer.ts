import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { reportBatchLag, withProcessSpanSync } from '@hookpost/telemetry';
import { PendingCommits } from './commit-timer';
import { ConsumerDrain } from './drain';
import { onConsumerDeath } from './crash';
import { PIPELINE_FETCH } from './fetch';
import type { BatchingProducer, OutgoingRecord } from './producer';

export interface TransformContext {
  topic: string;
  partition: number;
}

export type Transform = (message: KafkaMessage, ctx: TransformContext) => OutgoingRecord[];

export interface TransformConsumerOptions {
  /** Consumer group session timeout: how soon a dead member's partitions are reassigned. */
  sessionTimeoutMs?: number;
  kafka: Kafka;
  producer: BatchingProducer;
  groupId: string;
  topic: string;
  transform: Transform;
  logger: Logger;
  /** How long a resolved offset may wait to be committed with others (one commit request, not one per batch). */
  commitIntervalMs?: number;
}

/**
 * Consume a batch, map every message to what it produces, produce it all (acks=all), then commit.
 * At-least-once: an offset is committed only after its outputs are acknowledged. Commits of all
 * partitions go together every `commitIntervalMs`: a commit round trip per batch cost a request and held
 * up the partition's next batch.
 */
export class TransformConsumer {
  private readonly consumer: Consumer;
  private running = false;
  /** Offsets whose outputs are acknowledged, committed every `commitIntervalMs`. */
  private readonly commits: PendingCommits;
  private readonly drain = new ConsumerDrain();

  constructor(private readonly opts: TransformConsumerOptions) {
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.floor((opts.sessionTimeoutMs ?? 30_000) / 10),
      maxBytesPerPartition: 1024 * 1024,
      ...PIPELINE_FETCH,
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
          await producer.send(out);
          const last = batch.lastOffset();
          reportBatchLag(this.opts.groupId, batch);
          resolveOffset(last);
          this.commits.done(batch.topic, batch.partition, last);
          await heartbeat();
        }),
    });
    this.running = true;
  }

  /** Stops fetching (the batch under way completes), commits what was produced, disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    await this.drain.stop(this.consumer, [this.opts.topic], () => this.commits.flush());
  }
}
