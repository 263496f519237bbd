import type { Logger } from 'pino';
import type { ConsumerLoop } from './consumer-loop';
import { stopWithDeadConsumerCode } from './crash';
import type { BatchingProducer, OutgoingRecord } from './producer';

/** Batches whose outputs may wait for their acknowledgement at once, before fetching waits for them. */
export const MAX_UNACKNOWLEDGED_BATCHES = 16;

/**
 * What batches produced and the broker has not acknowledged yet. A batch's offsets are committed once
 * its outputs are acknowledged (at-least-once); fetching does not wait for that, up to
 * MAX_UNACKNOWLEDGED_BATCHES batches (`room`): the next fetch overlaps the produce request, which took a
 * third to a half of each hop's latency at 1,000 events/s. The producer sends in order, so a partition's
 * outputs keep their order; if a send fails, nothing more is committed (`halt`: a later batch's
 * acknowledgement must not commit past it) and the service stops (`die`, by default with the
 * dead-consumer code), to read again from the last commit. A stop waits for them all (`settled`).
 */
export class ProducedBatches {
  /** Sends not yet acknowledged (each settles, failed or not, and leaves the set). */
  private readonly unacknowledged = new Set<Promise<void>>();

  constructor(
    private readonly loop: ConsumerLoop,
    private readonly producer: BatchingProducer,
    private readonly logger: Logger,
    private readonly die: () => void = stopWithDeadConsumerCode,
  ) {}

  /** Produces a batch's outputs; its offsets up to `lastOffset` are committed once they are acknowledged. */
  send(out: OutgoingRecord[], topic: string, partition: number, lastOffset: string): void {
    const { commits } = this.loop;
    const generation = commits.currentGeneration;
    const settled: Promise<void> = this.producer
      .send(out)
      .then(
        () => commits.done(topic, partition, lastOffset, generation),
        (err: unknown) => {
          commits.halt();
          if (!this.loop.markStopped()) return;
          this.logger.fatal({ err, topic, partition }, 'producing a batch failed; stopping to read it again');
          this.die();
        },
      )
      .finally(() => this.unacknowledged.delete(settled));
    this.unacknowledged.add(settled);
  }

  /** Resolves once fewer than MAX_UNACKNOWLEDGED_BATCHES batches wait for their acknowledgement. */
  async room(): Promise<void> {
    while (this.unacknowledged.size >= MAX_UNACKNOWLEDGED_BATCHES) await Promise.race(this.unacknowledged);
  }

  /** Resolves once every batch sent so far is acknowledged, or failed. */
  async settled(): Promise<void> {
    await Promise.all(this.unacknowledged);
  }
}
