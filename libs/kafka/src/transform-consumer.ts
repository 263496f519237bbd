import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { reportBatchLag, withProcessSpanSync } from '@hookpost/telemetry';
import { CommitTimer } from './commit-timer';
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
  /** `topic:partition` -> the next offset to commit (its outputs are acknowledged). */
  private pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private readonly commits: CommitTimer;
  /** Counts group joins: offsets of an earlier generation are never retried. */
  private generation = 0;

  constructor(private readonly opts: TransformConsumerOptions) {
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.floor((opts.sessionTimeoutMs ?? 30_000) / 10),
      maxBytesPerPartition: 1024 * 1024,
      ...PIPELINE_FETCH,
    });
    // A new assignment starts from the committed offsets; the old generation could not commit anyway.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.generation++;
      this.pending.clear();
    });
    this.commits = new CommitTimer(() => this.commit(), opts.commitIntervalMs ?? 100, opts.logger);
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
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
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
        this.pending.set(`${batch.topic}:${batch.partition}`, {
          topic: batch.topic,
          partition: batch.partition,
          offset: (BigInt(last) + 1n).toString(),
        });
        this.commits.schedule();
        await heartbeat();
      },
    });
    this.running = true;
  }

  /** Stops fetching (the batch under way completes), commits what was produced, disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.stop();
    await this.commits.flush();
    await this.consumer.disconnect();
  }

  private async commit(): Promise<void> {
    const offsets = [...this.pending.values()];
    if (offsets.length === 0) return;
    const generation = this.generation;
    this.pending = new Map();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (err) {
      // Put back what no newer offset replaced, unless the assignment changed meanwhile; retried soon.
      if (generation !== this.generation) throw err;
      for (const o of offsets) {
        const key = `${o.topic}:${o.partition}`;
        if (!this.pending.has(key)) this.pending.set(key, o);
      }
      this.commits.schedule();
      throw err;
    }
  }
}
