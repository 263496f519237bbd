import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { reportLag, withProcessSpanSync } from '@hookpost/telemetry';
import { ConsumerLoop, groupOptions, type ConsumerGroupOptions } from './consumer-loop';
import { PROMPT_FETCH } from './fetch';
import { ProducedBatches } from './produced-batches';
import type { BatchingProducer, OutgoingRecord } from './producer';
import type { TransformContext } from './transform-consumer';

/** A delayed message now: not due before `dueAt` (ms since the epoch), or due: the records it becomes. */
export type Release = { dueAt: number } | { records: OutgoingRecord[] };

export interface DelayConsumerOptions extends ConsumerGroupOptions {
  producer: BatchingProducer;
  /** Topics whose partitions hold messages in due order (one delay per topic, appended in time). */
  topics: string[];
  /** What a message is at `now`: waiting, or due with its records (an unreadable one: a rejected record). */
  release: (message: KafkaMessage, ctx: TransformContext, now: number) => Release;
  /** After each batch, the messages of the partition still waiting (its lag), for a gauge of the backlog. */
  onWaiting?: (topic: string, partition: number, waiting: number) => void;
  /** What a failed send does once commits are halted (default: stop the service with the dead-consumer code). */
  die?: () => void;
  now?: () => number;
}

/**
 * Reads topics of messages that wait until they are due. A partition's messages are in due order, so
 * when its head is not due the partition is paused until it is: no sleeping in a handler, heartbeats
 * keep flowing. Due messages are released (produced) and their offsets committed once acknowledged
 * (ProducedBatches, as a TransformConsumer does); a stop lets the batch under way end, waits for what it
 * produced, commits it and leaves (ConsumerLoop), and no paused partition is resumed after it.
 */
export class DelayConsumer {
  private readonly loop: ConsumerLoop;
  private readonly produced: ProducedBatches;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly opts: DelayConsumerOptions) {
    this.loop = new ConsumerLoop({
      ...groupOptions(opts),
      topics: opts.topics,
      fetch: PROMPT_FETCH,
      partitionsConsumedConcurrently: 4,
    });
    this.produced = new ProducedBatches(this.loop, opts.producer, opts.logger, opts.die);
    this.now = opts.now ?? Date.now;
  }

  get isRunning(): boolean {
    return this.loop.isRunning;
  }

  start(): Promise<void> {
    return this.loop.start((payload) => this.take(payload));
  }

  /** No paused partition resumes; the batch under way ends; what it released is acknowledged and committed. */
  stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return this.loop.stop(() => this.produced.settled());
  }

  private async take(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat } = payload;
    const ctx = { topic: batch.topic, partition: batch.partition };
    const out: OutgoingRecord[] = [];
    let lastDone: string | null = null;
    let notDue: { offset: string; dueAt: number } | null = null;
    for (const message of batch.messages) {
      if (this.loop.ended(payload)) break;
      const consumed = {
        ...ctx,
        offset: message.offset,
        headers: message.headers,
        groupId: this.opts.groupId,
      };
      // Each message is seen (and a due one goes on) inside its own span, in the trace it carries.
      const release = withProcessSpanSync(consumed, () => this.opts.release(message, ctx, this.now()));
      if ('dueAt' in release) {
        notDue = { offset: message.offset, dueAt: release.dueAt };
        break;
      }
      out.push(...release.records);
      lastDone = message.offset;
    }
    if (lastDone !== null) {
      this.produced.send(out, batch.topic, batch.partition, lastDone);
      resolveOffset(lastDone);
    }
    const next = notDue ? BigInt(notDue.offset) : lastDone !== null ? BigInt(lastDone) + 1n : null;
    if (next !== null) {
      const waiting = Number(BigInt(batch.highWatermark) - next);
      reportLag(this.opts.groupId, batch.topic, batch.partition, waiting);
      this.opts.onWaiting?.(batch.topic, batch.partition, waiting);
    }
    if (notDue && !this.loop.stopping) this.pauseUntilDue(payload, notDue);
    await this.produced.room();
    await heartbeat();
  }

  /** Reads the partition again from its head, once due: paused until then (a stop clears the timer). */
  private pauseUntilDue({ batch, pause }: EachBatchPayload, head: { offset: string; dueAt: number }) {
    this.loop.seek(batch.topic, batch.partition, head.offset);
    const resume = pause();
    this.opts.logger.debug(
      { topic: batch.topic, partition: batch.partition, due_at: head.dueAt },
      'paused until due',
    );
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        resume();
      },
      Math.max(0, head.dueAt - this.now()),
    );
    this.timers.add(timer);
  }
}
