import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { reportBatchLag, withProcessSpan } from '@hookpost/telemetry';
import { ConsumerLoop, groupOptions, type ConsumerGroupOptions } from './consumer-loop';
import { PIPELINE_FETCH, type FetchPacing } from './fetch';
import { detachMessage } from './messages';

/**
 * Thrown by a handler that gives its message back unhandled (the service is stopping and the work has
 * not started): the offset stays uncommitted, so the next owner of the partition handles it.
 */
export class HandBack extends Error {
  constructor() {
    super('handed back: stopping');
  }
}

export interface MessageContext {
  topic: string;
  partition: number;
}

/**
 * A handler's message that waits on something outside the consumer (its endpoint's or account's slot in
 * the dispatcher) says so: while waiting it counts against `maxWaiting` instead of `maxInFlight`, so
 * messages stuck behind a slow endpoint do not fill the window that every other message needs.
 */
export interface InFlightLease {
  waiting(): void;
  running(): void;
}

export interface ConcurrentConsumerOptions extends ConsumerGroupOptions {
  topics: string[];
  /** Messages being handled at once across all partitions (those waiting, see InFlightLease, aside). */
  maxInFlight: number;
  /** Messages waiting (InFlightLease) at once; at this bound fetching pauses. Default: maxInFlight. */
  maxWaiting?: number;
  handle: (message: KafkaMessage, ctx: MessageContext, lease: InFlightLease) => Promise<void>;
  /** When the broker answers a fetch and how much it returns (default PIPELINE_FETCH). */
  fetch?: FetchPacing;
}

/**
 * Handles many messages at once so that one slow message never holds up the ones behind it, and
 * commits each partition only below the lowest offset still in flight: a crash redelivers, never loses.
 */
export class ConcurrentConsumer {
  private readonly loop: ConsumerLoop;
  private inFlight = 0;
  private waiting = 0;
  private slotWaiters: Array<() => void> = [];

  constructor(private readonly opts: ConcurrentConsumerOptions) {
    this.loop = new ConsumerLoop({
      ...groupOptions(opts),
      topics: opts.topics,
      fetch: opts.fetch ?? PIPELINE_FETCH,
      partitionsConsumedConcurrently: 6,
    });
  }

  get isRunning(): boolean {
    return this.loop.isRunning;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  start(): Promise<void> {
    return this.loop.start((payload) => this.take(payload));
  }

  /**
   * Stops fetching, waits up to `timeoutMs` for in-flight work (handlers may hand back what has not
   * started, see HandBack), commits what finished, disconnects.
   */
  async stop(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const stopped = this.loop.stop(async () => {
      while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    });
    for (const wake of this.slotWaiters.splice(0)) wake(); // a batch waiting for a slot sees the stop and ends
    await stopped;
  }

  /** Starts each message of the batch as soon as the window has room for it. */
  private async take(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat } = payload;
    const ctx = { topic: batch.topic, partition: batch.partition };
    const tracker = this.loop.commits.tracker(ctx.topic, ctx.partition);
    for (const fetched of batch.messages) {
      while (this.windowFull()) {
        if (this.loop.ended(payload)) return;
        await this.waitForSlot(1000);
        await heartbeat();
      }
      if (this.loop.ended(payload)) return;
      // Its own copy: the handler may run for long, and must not keep the whole fetch alive.
      const message = detachMessage(fetched);
      tracker.start(message.offset);
      this.inFlight++;
      resolveOffset(message.offset);
      void this.run(message, ctx).then((handled) => {
        if (handled) tracker.finish(message.offset); // a handed-back offset stays in flight: never committed
        this.inFlight--;
        this.wakeFetch();
        this.loop.commits.schedule();
      });
    }
    reportBatchLag(this.opts.groupId, batch);
    await heartbeat();
  }

  private windowFull(): boolean {
    return (
      this.inFlight - this.waiting >= this.opts.maxInFlight ||
      this.waiting >= (this.opts.maxWaiting ?? this.opts.maxInFlight)
    );
  }

  private wakeFetch(): void {
    if (!this.windowFull()) this.slotWaiters.shift()?.();
  }

  /** Handles a message until it succeeds (true), or until its handler hands it back (false). */
  private async run(message: KafkaMessage, ctx: MessageContext): Promise<boolean> {
    const consumed = { ...ctx, offset: message.offset, headers: message.headers, groupId: this.opts.groupId };
    let isWaiting = false;
    const lease: InFlightLease = {
      waiting: () => {
        if (isWaiting) return;
        isWaiting = true;
        this.waiting++;
        this.wakeFetch();
      },
      running: () => {
        if (!isWaiting) return;
        isWaiting = false;
        this.waiting--;
      },
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await withProcessSpan(consumed, () => this.opts.handle(message, ctx, lease));
        return true;
      } catch (err) {
        if (err instanceof HandBack) return false;
        this.opts.logger.error({ err, ...ctx, offset: message.offset }, 'handler failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      } finally {
        lease.running(); // a handler that ended while waiting (refused at shutdown) counts no more
      }
    }
  }

  private waitForSlot(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.slotWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
