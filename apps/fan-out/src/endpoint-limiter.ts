/** Which slots a delivery needs: one of its endpoint (the URL) and one of the account it is made for. */
export interface SlotKey {
  endpoint: string;
  account: string;
}

/** Told when a task has to wait for a slot, and when it gets one (the consumer's in-flight accounting). */
export interface WaitHooks {
  queued(): void;
  granted(): void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  hooks: WaitHooks | undefined;
}

/**
 * The waiters of one (account, endpoint) pair, in arrival order: `waiters[head..]` (taking from the front
 * moves `head`, not the array, which `shift` would copy once it is large: one URL's backlog can be many
 * thousands).
 */
interface Queue {
  key: SlotKey;
  id: string;
  waiters: Array<Waiter | undefined>;
  head: number;
}

/**
 * At most `perEndpoint` deliveries at once per endpoint (the URL: two paths on one host are two
 * endpoints) and at most `perAccount` per account: a slow or dead URL gets its share of connections and
 * no more, and one account's many slow URLs cannot take every slot, while other URLs' deliveries run
 * beside them. Each (account, URL) pair's waiters are served in arrival order; pairs that wait on the same
 * URL, or on the same account, take turns. Waiting is cheap (a queued task holds no connection), and the
 * `queued`/`granted` hooks let the consumer count waiting tasks apart from those it runs.
 */
export class EndpointLimiter {
  private readonly activeEndpoints = new Map<string, number>();
  private readonly activeAccounts = new Map<string, number>();
  private readonly queues = new Map<string, Queue>();
  /** Non-empty queues per endpoint and per account (Set order = turn order). */
  private readonly endpointQueues = new Map<string, Set<Queue>>();
  private readonly accountQueues = new Map<string, Set<Queue>>();
  private waitingCount = 0;
  private closed: (() => Error) | null = null;

  constructor(
    private readonly perEndpoint: number,
    private readonly perAccount: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Runs `task` once its endpoint and its account both have a free slot. */
  async run<T>(key: SlotKey, task: () => Promise<T>, hooks?: WaitHooks): Promise<T> {
    await this.acquire(key, hooks);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  inUse(endpoint: string): number {
    return this.activeEndpoints.get(endpoint) ?? 0;
  }

  accountInUse(account: string): number {
    return this.activeAccounts.get(account) ?? 0;
  }

  /** Tasks waiting for a slot of this endpoint (all accounts). */
  queued(endpoint: string): number {
    let n = 0;
    for (const q of this.endpointQueues.get(endpoint) ?? []) n += q.waiters.length - q.head;
    return n;
  }

  /** Tasks waiting for a slot, all endpoints. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Refuses every task still waiting, and every later one, with the given error (shutdown). */
  close(error: () => Error): void {
    this.closed = error;
    for (const queue of this.queues.values()) {
      for (const waiter of queue.waiters.splice(queue.head)) waiter?.reject(error());
    }
    this.queues.clear();
    this.endpointQueues.clear();
    this.accountQueues.clear();
    this.waitingCount = 0;
  }

  private free(key: SlotKey): boolean {
    return (
      (this.activeEndpoints.get(key.endpoint) ?? 0) < this.perEndpoint &&
      (this.activeAccounts.get(key.account) ?? 0) < this.perAccount
    );
  }

  private take(key: SlotKey): void {
    this.activeEndpoints.set(key.endpoint, (this.activeEndpoints.get(key.endpoint) ?? 0) + 1);
    this.activeAccounts.set(key.account, (this.activeAccounts.get(key.account) ?? 0) + 1);
  }

  private acquire(key: SlotKey, hooks: WaitHooks | undefined): Promise<void> {
    if (this.closed) return Promise.reject(this.closed());
    const id = queueId(key);
    // Arrival order within a pair: a newcomer never overtakes a waiter of its own pair.
    if (!this.queues.has(id) && this.free(key)) {
      this.take(key);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(id);
      if (!queue) {
        queue = { key, id, waiters: [], head: 0 };
        this.queues.set(id, queue);
        addTo(this.endpointQueues, key.endpoint, queue);
        addTo(this.accountQueues, key.account, queue);
      }
      queue.waiters.push({ resolve, reject, hooks });
      this.waitingCount++;
      hooks?.queued();
    });
  }

  private release(key: SlotKey): void {
    decrement(this.activeEndpoints, key.endpoint);
    decrement(this.activeAccounts, key.account);
    // The freed endpoint slot goes to a pair waiting on this URL whose account has room; the freed
    // account slot to a pair of this account whose URL has room. An account full again (its slot went to
    // a pair of its own on this URL) is not scanned: with many waiting URLs it would be on every release.
    this.grantOne(this.endpointQueues.get(key.endpoint));
    while (
      (this.activeAccounts.get(key.account) ?? 0) < this.perAccount &&
      this.grantOne(this.accountQueues.get(key.account))
    );
  }

  /** Grants the first queue (in turn order) whose slots are free; it then goes to the back. */
  private grantOne(candidates: Set<Queue> | undefined): boolean {
    if (!candidates) return false;
    for (const queue of candidates) {
      if (!this.free(queue.key)) continue;
      const waiter = queue.waiters[queue.head] as Waiter;
      queue.waiters[queue.head++] = undefined;
      // Compacted once half is taken: amortised O(1) per waiter.
      if (queue.head >= 1024 && queue.head * 2 >= queue.waiters.length) {
        queue.waiters.splice(0, queue.head);
        queue.head = 0;
      }
      this.waitingCount--;
      this.take(queue.key);
      if (queue.head === queue.waiters.length) this.drop(queue);
      else {
        rotate(this.endpointQueues.get(queue.key.endpoint), queue);
        rotate(this.accountQueues.get(queue.key.account), queue);
      }
      waiter.hooks?.granted();
      waiter.resolve();
      return true;
    }
    return false;
  }

  private drop(queue: Queue): void {
    this.queues.delete(queue.id);
    removeFrom(this.endpointQueues, queue.key.endpoint, queue);
    removeFrom(this.accountQueues, queue.key.account, queue);
  }
}

function queueId(key: SlotKey): string {
  return `${key.account}\n${key.endpoint}`;
}

function addTo(map: Map<string, Set<Queue>>, name: string, queue: Queue): void {
  const set = map.get(name);
  if (set) set.add(queue);
  else map.set(name, new Set([queue]));
}

function removeFrom(map: Map<string, Set<Queue>>, name: string, queue: Queue): void {
  const set = map.get(name);
  if (!set) return;
  set.delete(queue);
  if (set.size === 0) map.delete(name);
}

function rotate(set: Set<Queue> | undefined, queue: Queue): void {
  if (!set) return;
  set.delete(queue);
  set.add(queue);
}

function decrement(map: Map<string, number>, name: string): void {
  const n = (map.get(name) ?? 1) - 1;
  if (n <= 0) map.delete(name);
  else map.set(name, n);
}

/**
 * The endpoint key of a URL: the URL itself, normalised (scheme and host case, default port), without
 * its fragment. Two paths on one host are two endpoints.
 */
export function endpointOf(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href;
  } catch {
    return url;
  }
}
