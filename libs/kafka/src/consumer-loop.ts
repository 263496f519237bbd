import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { PendingCommits } from './commit-timer';
import { onConsumerDeath } from './crash';
import { ConsumerDrain } from './drain';
import type { FetchPacing } from './fetch';

/** What every consumer on the loop is given: its group, where it logs, how it commits. */
export interface ConsumerGroupOptions {
  kafka: Kafka;
  groupId: string;
  logger: Logger;
  /** Consumer group session timeout: how soon a dead member's partitions are reassigned (default 30 s). */
  sessionTimeoutMs?: number;
  /** How long finished offsets wait to be committed together (default 100 ms). */
  commitIntervalMs?: number;
}

/** The ConsumerGroupOptions of a consumer's options (not the rest: they are the consumer's own). */
export function groupOptions(opts: ConsumerGroupOptions): ConsumerGroupOptions {
  const { kafka, groupId, logger, sessionTimeoutMs, commitIntervalMs } = opts;
  return { kafka, groupId, logger, sessionTimeoutMs, commitIntervalMs };
}

export interface ConsumerLoopOptions extends ConsumerGroupOptions {
  topics: string[];
  /** When the broker answers a fetch, and how much it returns. */
  fetch: FetchPacing;
  /** Batches of different partitions handled at once (default 1). */
  partitionsConsumedConcurrently?: number;
  /** Where a group without committed offsets starts: the beginning (default) or the end. */
  fromBeginning?: boolean;
  /** What the consumer's death does once it is logged (default: stop the service with code 70). */
  die?: () => void;
}

/** What a consumer does with each batch kafkajs fetched (the loop has checked it may start it). */
export type BatchHandler = (payload: EachBatchPayload) => Promise<void>;

/**
 * The loop under every consumer of the services: one kafkajs consumer of a group, offsets committed
 * only by the consumer (never by kafkajs: no auto-commit, no auto-resolve) through `commits`, and the
 * one stop that drains before it commits. What differs between consumers is their BatchHandler: a
 * transform (TransformConsumer), messages in flight at once (ConcurrentConsumer), jobs waiting until due
 * (DelayConsumer), a view of a whole topic (ConfigView), a one-off read (readSince).
 *
 * A handler checks `ended(payload)` before it takes on another message: once a stop has begun, or the
 * partition is no longer this member's, it takes no more; what it started is finished by the stop's
 * `settle`, and only then is anything committed.
 */
export class ConsumerLoop {
  /** Finished offsets of this consumer, committed together (readers that never commit leave it empty). */
  readonly commits: PendingCommits;
  private readonly consumer: Consumer;
  private readonly drain = new ConsumerDrain();
  private running = false;
  private stopped: Promise<void> | null = null;

  constructor(private readonly opts: ConsumerLoopOptions) {
    const session = opts.sessionTimeoutMs ?? 30_000;
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: session,
      heartbeatInterval: Math.floor(session / 10),
      ...opts.fetch,
    });
    this.commits = new PendingCommits(this.consumer, opts.commitIntervalMs ?? 100, opts.logger);
    onConsumerDeath(this.consumer, opts.logger, () => (this.running = false), opts.die);
  }

  /** Consuming: started, not stopped, not dead. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Whether a stop has begun (true from the call to `stop` on, before its first await). */
  get stopping(): boolean {
    return this.drain.stopping;
  }

  /** Whether a batch's handler must take no more of it: stopping, or the partition is not ours now. */
  ended(payload: Pick<EachBatchPayload, 'isRunning' | 'isStale'>): boolean {
    return this.drain.stopping || !payload.isRunning() || payload.isStale();
  }

  /**
   * Marks the consumer stopped (a failure its handler cannot recover from, before the service stops);
   * false if it was not running (stopped or dead already).
   */
  markStopped(): boolean {
    const was = this.running;
    this.running = false;
    return was;
  }

  async start(handle: BatchHandler): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.opts.topics,
      fromBeginning: this.opts.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) =>
        this.drain.run(async () => {
          if (!this.ended(payload)) await handle(payload);
        }),
    });
    this.running = true;
  }

  /** Where the partition is read from next (after the batch under way). */
  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  /**
   * The stop of every consumer: no new batch starts (the topics are paused) and those under way take no
   * more messages; once they end, `settle` waits for what they started (handlers in flight, outputs not
   * yet acknowledged); then the finished offsets are committed, and only then does the consumer leave
   * the group (a member that left cannot commit). Once stopped, nothing more is handled. Calling it
   * again returns the same stop.
   */
  stop(settle?: () => Promise<void>): Promise<void> {
    if (this.stopped) return this.stopped;
    this.running = false;
    this.stopped = this.drain.stop(this.consumer, this.opts.topics, () => this.commits.flush(), settle);
    return this.stopped;
  }
}
