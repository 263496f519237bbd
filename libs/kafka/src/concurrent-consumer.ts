import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { reportBatchLag, withProcessSpan } from '@hookpost/telemetry';
import { CommitTimer } from './commit-timer';
import { onConsumerDeath } from './crash';
import { ConsumerDrain } from './drain';
import { PIPELINE_FETCH } from './fetch';
import { detachMessage } from './messages';
import { OffsetTracker } from './offset-tracker';

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

export interface ConcurrentConsumerOptions {
  /** Consumer group session timeout: how soon a dead member's partitions are reassigned. */
  sessionTimeoutMs?: number;
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Messages being handled at once across all partitions (those waiting, see InFlightLease, aside). */
  maxInFlight: number;
  /** Messages waiting (InFlightLease) at once; at this bound fetching pauses. Default: maxInFlight. */
  maxWaiting?: number;
  handle: (message: KafkaMessage, ctx: MessageContext, lease: InFlightLease) => Promise<void>;
  logger: Logger;
  commitIntervalMs?: number;
}

/**
 * Handles many messages at once so that one slow message never holds up the ones behind it, and
 * commits each partition only below the lowest offset still in flight: a crash redelivers, never loses.
 */
export class ConcurrentConsumer {
  private readonly consumer: Consumer;
  private trackers = new Map<string, OffsetTracker>();
  private inFlight = 0;
  private waiting = 0;
  private slotWaiters: Array<() => void> = [];
  private readonly commits: CommitTimer;
  private running = false;
  private readonly drain = new ConsumerDrain();

  constructor(private readonly opts: ConcurrentConsumerOptions) {
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.floor((opts.sessionTimeoutMs ?? 30_000) / 10),
      ...PIPELINE_FETCH,
    });
    // A new assignment starts from the committed offsets: forget what the old one tracked.
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.trackers = new Map();
    });
    this.commits = new CommitTimer(() => this.commit(), opts.commitIntervalMs ?? 100, opts.logger);
    onConsumerDeath(this.consumer, opts.logger, () => (this.running = false));
  }

  get isRunning(): boolean {
    return this.running;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.opts.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 6,
      eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
        this.drain.run(async () => {
          const ctx = { topic: batch.topic, partition: batch.partition };
          const tracker = this.trackerFor(ctx);
          for (const fetched of batch.messages) {
            while (this.windowFull()) {
              if (this.drain.stopping || !isRunning() || isStale()) return;
              await this.waitForSlot(1000);
              await heartbeat();
            }
            if (this.drain.stopping || !isRunning() || isStale()) return;
            // Its own copy: the handler may run for long, and must not keep the whole fetch alive.
            const message = detachMessage(fetched);
            tracker.start(message.offset);
            this.inFlight++;
            resolveOffset(message.offset);
            void this.run(message, ctx).then((handled) => {
              if (handled) tracker.finish(message.offset); // a handed-back offset stays in flight: never committed
              this.inFlight--;
              this.wakeFetch();
              this.commits.schedule();
            });
          }
          reportBatchLag(this.opts.groupId, batch);
          await heartbeat();
        }),
    });
    this.running = true;
  }

  /**
   * Stops fetching, waits up to `timeoutMs` for in-flight work (handlers may hand back what has not
   * started, see HandBack), commits what finished, disconnects.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    const deadline = Date.now() + timeoutMs;
    const stopped = this.drain.stop(
      this.consumer,
      this.opts.topics,
      () => this.commits.flush(),
      async () => {
        while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      },
    );
    for (const wake of this.slotWaiters.splice(0)) wake(); // a batch waiting for a slot sees `stopping` and ends
    await stopped;
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

  private trackerFor(ctx: MessageContext): OffsetTracker {
    const key = `${ctx.topic}:${ctx.partition}`;
    let tracker = this.trackers.get(key);
    if (!tracker) {
      tracker = new OffsetTracker();
      this.trackers.set(key, tracker);
    }
    return tracker;
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

  private async commit(): Promise<void> {
    const offsets: Array<{ topic: string; partition: number; offset: string }> = [];
    const trackers = [...this.trackers];
    for (const [key, tracker] of trackers) {
      const offset = tracker.committable();
      if (offset === null) continue;
      const sep = key.lastIndexOf(':');
      offsets.push({ topic: key.slice(0, sep), partition: Number(key.slice(sep + 1)), offset });
    }
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(offsets);
    for (const [key, tracker] of trackers) {
      const done = offsets.find((o) => `${o.topic}:${o.partition}` === key);
      if (done) tracker.markCommitted(done.offset);
    }
  }
}
