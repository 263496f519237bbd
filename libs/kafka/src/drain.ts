import type { Consumer } from 'kafkajs';

/** Counts a consumer's batches under way (inside `eachBatch`), so that a stop can wait for them. */
export class BatchesUnderWay {
  private count = 0;
  private waiters: Array<() => void> = [];

  async run<T>(batch: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await batch();
    } finally {
      if (--this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Stops a consumer so that its last offsets are committed: kafkajs' `stop` leaves the group, and a
 * member that left can no longer commit. So its topics are paused first (no new batch starts; fetched
 * batches of paused partitions are dropped, to be read again by the next owner), then `drained` waits
 * for the work under way, `commit` commits what finished, and only then the consumer stops and
 * disconnects.
 */
export async function stopCommitted(
  consumer: Consumer,
  topics: readonly string[],
  drained: () => Promise<void>,
  commit: () => Promise<void>,
): Promise<void> {
  try {
    consumer.pause(topics.map((topic) => ({ topic })));
  } catch {
    // never ran: nothing under way, nothing to commit
  }
  await drained();
  await commit();
  await consumer.disconnect();
}
