/**
 * Tracks messages of one partition that are being worked on out of order, and tells which offset is
 * safe to commit: everything below the lowest offset still in flight. Work taken in order, a batch at a
 * time, only says how far it is done (`finishThrough`).
 */
export class OffsetTracker {
  private readonly inFlight = new Set<bigint>();
  private highestStarted: bigint | null = null;
  private lastCommitted: bigint | null = null;

  start(offset: string): void {
    const o = BigInt(offset);
    this.inFlight.add(o);
    if (this.highestStarted === null || o > this.highestStarted) this.highestStarted = o;
  }

  finish(offset: string): void {
    this.inFlight.delete(BigInt(offset));
  }

  /** Everything up to and including `offset` is done (work taken in order: nothing of it in flight). */
  finishThrough(offset: string): void {
    const o = BigInt(offset);
    if (this.highestStarted === null || o > this.highestStarted) this.highestStarted = o;
  }

  get size(): number {
    return this.inFlight.size;
  }

  /** The next offset to commit (Kafka's "next to read"), or null when nothing new is safe to commit. */
  committable(): string | null {
    if (this.highestStarted === null) return null;
    let next = this.highestStarted + 1n;
    for (const o of this.inFlight) if (o < next) next = o;
    if (this.lastCommitted !== null && next <= this.lastCommitted) return null;
    return next.toString();
  }

  markCommitted(offset: string): void {
    const o = BigInt(offset);
    if (this.lastCommitted === null || o > this.lastCommitted) this.lastCommitted = o;
  }
}
