import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { reportBatchLag, withProcessSpanSync } from '@hookpost/telemetry';
import { onConsumerDeath } from './crash';
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
}

/**
 * Consume a batch, map every message to what it produces, produce it all (acks=all), then commit.
 * At-least-once: an offset is committed only after its outputs are acknowledged.
 */
export class TransformConsumer {
  private readonly consumer: Consumer;
  private running = false;

  constructor(private readonly opts: TransformConsumerOptions) {
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.floor((opts.sessionTimeoutMs ?? 30_000) / 10),
      maxBytesPerPartition: 1024 * 1024,
      maxWaitTimeInMs: 100,
    });
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
        await this.consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
        ]);
        await heartbeat();
      },
    });
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }
}
