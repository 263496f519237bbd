import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { reportBatchLag, withProcessSpanSync } from '@hookpost/telemetry';
import { ConsumerLoop, groupOptions, type ConsumerGroupOptions } from './consumer-loop';
import { PIPELINE_FETCH, type FetchPacing } from './fetch';
import { ProducedBatches } from './produced-batches';
import type { BatchingProducer, OutgoingRecord } from './producer';

export interface TransformContext {
  topic: string;
  partition: number;
}

export type Transform = (message: KafkaMessage, ctx: TransformContext) => OutgoingRecord[];

export interface TransformConsumerOptions extends ConsumerGroupOptions {
  /** What a failed send does once commits are halted (default: stop the service with the dead-consumer code). */
  die?: () => void;
  producer: BatchingProducer;
  topic: string;
  transform: Transform;
  /** When the broker answers a fetch (default PIPELINE_FETCH: a stage of produce-to-POST). */
  fetch?: FetchPacing;
}

/**
 * Consume a batch, map every message to what it produces, produce it all (acks=all), commit once it is
 * acknowledged (ProducedBatches: fetching goes on meanwhile; a failed send halts commits and stops the
 * service). At-least-once: an offset is committed only after its outputs are acknowledged. Commits of
 * all partitions go together every `commitIntervalMs`.
 */
export class TransformConsumer {
  private readonly loop: ConsumerLoop;
  private readonly produced: ProducedBatches;

  constructor(private readonly opts: TransformConsumerOptions) {
    this.loop = new ConsumerLoop({
      ...groupOptions(opts),
      topics: [opts.topic],
      fetch: { maxBytesPerPartition: 1024 * 1024, ...(opts.fetch ?? PIPELINE_FETCH) },
      partitionsConsumedConcurrently: 3,
    });
    this.produced = new ProducedBatches(this.loop, opts.producer, opts.logger, opts.die);
  }

  get isRunning(): boolean {
    return this.loop.isRunning;
  }

  start(): Promise<void> {
    return this.loop.start((payload) => this.take(payload));
  }

  /**
   * Stops fetching (the batch under way completes), waits for what was produced to be acknowledged,
   * commits it, disconnects.
   */
  stop(): Promise<void> {
    return this.loop.stop(() => this.produced.settled());
  }

  private async take({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const ctx = { topic: batch.topic, partition: batch.partition };
    const out: OutgoingRecord[] = [];
    for (const message of batch.messages) {
      const consumed = {
        ...ctx,
        offset: message.offset,
        headers: message.headers,
        groupId: this.opts.groupId,
      };
      out.push(...withProcessSpanSync(consumed, () => this.opts.transform(message, ctx)));
    }
    const last = batch.lastOffset();
    this.produced.send(out, batch.topic, batch.partition, last);
    reportBatchLag(this.opts.groupId, batch);
    resolveOffset(last);
    await this.produced.room();
    await heartbeat();
  }
}
