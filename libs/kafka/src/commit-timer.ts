import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Coalesces offset commits: `schedule` asks for one within `intervalMs` (all partitions in one request,
 * whatever finished meanwhile); `flush` commits now, for a stop. A failed commit is logged; what it
 * carried stays committable, so the next one includes it.
 */
export class CommitTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly commit: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.commit().catch((err) => this.logger.warn({ err }, 'offset commit failed; will retry'));
    }, this.intervalMs);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.commit().catch((err) => this.logger.warn({ err }, 'final offset commit failed'));
  }
}

/**
 * A consumer's finished offsets, committed together by a CommitTimer: `done` records a partition's
 * last handled offset and asks for a commit within the interval; `flush` commits now (before a
 * disconnect). A commit that fails puts back what no newer offset replaced and retries, unless the
 * group was joined again meanwhile: a new assignment starts from the committed offsets, and the old
 * generation could not commit anyway.
 */
export class PendingCommits {
  /** `topic:partition` -> the next offset to commit. */
  private pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private generation = 0;
  private halted = false;
  private readonly timer: CommitTimer;

  constructor(
    private readonly consumer: Consumer,
    intervalMs: number,
    logger: Logger,
  ) {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.generation++;
      this.pending.clear();
    });
    this.timer = new CommitTimer(() => this.commit(), intervalMs, logger);
  }

  /** The group generation now: work begun in it may pass it to `done`, which ignores an older one. */
  get currentGeneration(): number {
    return this.generation;
  }

  /**
   * Nothing more is committed but what is pending now: later work must not commit past offsets whose
   * outputs failed (the next owner, or the restarted process, reads them again from the last commit).
   */
  halt(): void {
    this.halted = true;
  }

  /**
   * Everything up to and including `lastOffset` of the partition is handled. Ignored after `halt`, and
   * when `generation` is given and the group was joined again since (the partition may be another
   * member's now, committing from its own progress).
   */
  done(topic: string, partition: number, lastOffset: string, generation = this.generation): void {
    if (this.halted || generation !== this.generation) return;
    this.pending.set(`${topic}:${partition}`, {
      topic,
      partition,
      offset: (BigInt(lastOffset) + 1n).toString(),
    });
    this.timer.schedule();
  }

  flush(): Promise<void> {
    return this.timer.flush();
  }

  private async commit(): Promise<void> {
    const offsets = [...this.pending.values()];
    if (offsets.length === 0) return;
    const generation = this.generation;
    this.pending = new Map();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (err) {
      if (generation !== this.generation) throw err;
      for (const o of offsets) {
        const key = `${o.topic}:${o.partition}`;
        if (!this.pending.has(key)) this.pending.set(key, o);
      }
      this.timer.schedule();
      throw err;
    }
  }
}
