/**
 * At most `limit` deliveries at once per endpoint (URL origin): a slow or dead endpoint gets its fair
 * share of connections and no more, while other endpoints' deliveries run beside it. Waiters are served
 * in arrival order. Bounded by the consumer's in-flight limit, so waiting never grows without end.
 */
export class EndpointLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<{ resolve: () => void; reject: (err: Error) => void }>>();
  private closed: (() => Error) | null = null;

  constructor(private readonly limit: number) {}

  /** Runs `task` once the endpoint has a free slot. */
  async run<T>(endpoint: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(endpoint);
    try {
      return await task();
    } finally {
      this.release(endpoint);
    }
  }

  inUse(endpoint: string): number {
    return this.active.get(endpoint) ?? 0;
  }

  queued(endpoint: string): number {
    return this.waiting.get(endpoint)?.length ?? 0;
  }

  /** Refuses every task still waiting, and every later one, with the given error (shutdown). */
  close(error: () => Error): void {
    this.closed = error;
    for (const queue of this.waiting.values()) for (const waiter of queue.splice(0)) waiter.reject(error());
    this.waiting.clear();
  }

  private acquire(endpoint: string): Promise<void> {
    if (this.closed) return Promise.reject(this.closed());
    const active = this.active.get(endpoint) ?? 0;
    if (active < this.limit) {
      this.active.set(endpoint, active + 1);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(endpoint) ?? [];
      queue.push({ resolve, reject });
      this.waiting.set(endpoint, queue);
    });
  }

  private release(endpoint: string): void {
    const queue = this.waiting.get(endpoint);
    const next = queue?.shift();
    if (next) {
      if (queue?.length === 0) this.waiting.delete(endpoint);
      next.resolve(); // the slot passes to the next waiter directly
      return;
    }
    const active = (this.active.get(endpoint) ?? 1) - 1;
    if (active === 0) this.active.delete(endpoint);
    else this.active.set(endpoint, active);
  }
}

/** The endpoint key of a URL: its origin (one connection pool per origin). */
export function endpointOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
