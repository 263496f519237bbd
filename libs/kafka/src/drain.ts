import type { Consumer } from 'kafkajs';

/**
 * A consumer's batches under way (inside `eachBatch`) and its stop, which commits its last offsets:
 * kafkajs' `stop` leaves the group, and a member that left can no longer commit. So a stop pauses the
 * topics first (no new batch starts; fetched batches of paused partitions are dropped, to be read again
 * by the next owner), waits for the batches under way and whatever else `settle` waits for, commits,
 * and only then stops and disconnects the consumer.
 */
export class ConsumerDrain {
  private count = 0;
  private waiters: Array<() => void> = [];
  private draining = false;

  /** Whether a stop has begun: a batch checks it before taking on more work. */
  get stopping(): boolean {
    return this.draining;
  }

  async run<T>(batch: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await batch();
    } finally {
      if (--this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** `stopping` is true from the call on (before the first await). */
  async stop(
    consumer: Consumer,
    topics: readonly string[],
    commit: () => Promise<void>,
    settle: () => Promise<void> = async () => undefined,
  ): Promise<void> {
    this.draining = true;
    try {
      consumer.pause(topics.map((topic) => ({ topic })));
    } catch {
      // never ran: nothing under way, nothing to commit
    }
    if (this.count > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    await settle();
    await commit();
    await consumer.disconnect();
  }
}
