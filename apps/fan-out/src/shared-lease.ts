import type { InFlightLease } from '@hookpost/kafka';
import type { WaitHooks } from './endpoint-limiter';

/**
 * One message's in-flight lease shared by the deliveries it starts (an event with several URLs): the
 * message counts as waiting (InFlightLease) only while every delivery of it not yet finished waits for a
 * slot. One that runs, a POST under way, keeps it in the window of messages being handled.
 */
export class SharedLease {
  private readonly waiting: boolean[];
  private waitingCount = 0;
  private open: number;

  constructor(
    private readonly lease: InFlightLease | undefined,
    count: number,
  ) {
    this.waiting = new Array<boolean>(count).fill(false);
    this.open = count;
  }

  /** The limiter's hooks of the `i`-th delivery (none without a lease). */
  hooks(i: number): WaitHooks | undefined {
    if (!this.lease) return undefined;
    return { queued: () => this.set(i, true), granted: () => this.set(i, false) };
  }

  /** The `i`-th delivery ended (made, refused or failed). */
  finished(i: number): void {
    this.set(i, false);
    this.open--;
    this.update();
  }

  private set(i: number, waiting: boolean): void {
    if (this.waiting[i] === waiting) return;
    this.waiting[i] = waiting;
    this.waitingCount += waiting ? 1 : -1;
    this.update();
  }

  private update(): void {
    if (!this.lease) return;
    if (this.open > 0 && this.waitingCount === this.open) this.lease.waiting();
    else this.lease.running();
  }
}
