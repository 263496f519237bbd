import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import { OffsetTracker } from './offset-tracker';

/**
 * Coalesces offset commits: `schedule` asks for one within `intervalMs` (all partitions in one request,
 * whatever finished meanwhile); `flush` commits now, for a stop, and no more are scheduled after it (the
 * consumer leaves its group next). A failed commit is logged; what it carried stays committable, so the
 * next one includes it.
 */
export class CommitTimer {
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly commit: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.commit().catch((err) => this.logger.warn({ err }, 'offset commit failed; will retry'));
    }, this.intervalMs);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.closed = true;
    await this.commit().catch((err) => this.logger.warn({ err }, 'final offset commit failed'));
  }
}

/**
 * A consumer's finished offsets, committed together by a CommitTimer: one OffsetTracker per partition
 * of the current assignment says what is safe to commit, below the lowest offset still in flight. Work
 * taken a batch at a time says `done` (everything up to its batch's last offset); work finished out of
 * order starts and finishes each message on the partition's `tracker` and calls `schedule`. `flush`
 * commits now (a stop's last commit, before it leaves the group).
 *
 * A new assignment starts from the committed offsets: a group join replaces the trackers and the
 * generation, and what the old ones finish is never committed (the partition may be another member's
 * now). A commit that fails is tried again within the interval, unless the group was joined meanwhile.
 */
export class PendingCommits {
  /** `topic:partition` -> its tracker in the current generation. */
  private partitions = new Map<string, { topic: string; partition: number; tracker: OffsetTracker }>();
  private generation = 0;
  /** Set by `halt`: the only offsets still to commit. */
  private frozen: CommittableOffset[] | null = null;
  private readonly timer: CommitTimer;

  constructor(
    private readonly consumer: Consumer,
    intervalMs: number,
    logger: Logger,
  ) {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.generation++;
      this.partitions = new Map();
    });
    this.timer = new CommitTimer(() => this.commit(), intervalMs, logger);
  }

  /** The group generation now: work begun in it may pass it to `done`, which ignores an older one. */
  get currentGeneration(): number {
    return this.generation;
  }

  /** The partition's offsets in this generation, for work finished out of order (then `schedule`). */
  tracker(topic: string, partition: number): OffsetTracker {
    const key = `${topic}:${partition}`;
    let entry = this.partitions.get(key);
    if (!entry) {
      entry = { topic, partition, tracker: new OffsetTracker() };
      this.partitions.set(key, entry);
    }
    return entry.tracker;
  }

  /**
   * Nothing more is committed but what is committable now: later work must not commit past offsets whose
   * outputs failed (the next owner, or the restarted process, reads them again from the last commit).
   */
  halt(): void {
    this.frozen ??= this.committable();
  }

  /**
   * Everything up to and including `lastOffset` of the partition is handled. Ignored after `halt`, and
   * when `generation` is given and the group was joined again since (the partition may be another
   * member's now, committing from its own progress).
   */
  done(topic: string, partition: number, lastOffset: string, generation = this.generation): void {
    if (this.frozen || generation !== this.generation) return;
    this.tracker(topic, partition).finishThrough(lastOffset);
    this.timer.schedule();
  }

  /** Asks for a commit within the interval (after work finished on a tracker). */
  schedule(): void {
    this.timer.schedule();
  }

  flush(): Promise<void> {
    return this.timer.flush();
  }

  private committable(): CommittableOffset[] {
    const offsets: CommittableOffset[] = [];
    for (const { topic, partition, tracker } of this.partitions.values()) {
      const offset = tracker.committable();
      if (offset !== null) offsets.push({ topic, partition, offset, tracker });
    }
    return offsets;
  }

  private async commit(): Promise<void> {
    const offsets = this.frozen ?? this.committable();
    if (offsets.length === 0) return;
    const generation = this.generation;
    try {
      await this.consumer.commitOffsets(
        offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
      );
    } catch (err) {
      if (generation === this.generation) this.timer.schedule();
      throw err;
    }
    if (this.frozen) this.frozen = this.frozen.filter((o) => !offsets.includes(o));
    for (const { offset, tracker } of offsets) tracker.markCommitted(offset);
  }
}

interface CommittableOffset {
  topic: string;
  partition: number;
  offset: string;
  tracker: OffsetTracker;
}
