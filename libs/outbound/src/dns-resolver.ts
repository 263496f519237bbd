import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';

export interface DnsOptions {
  /** Name servers (`ip` or `ip:port`, `[ipv6]:port`); empty: the system's (/etc/resolv.conf). */
  servers?: string[];
  /** How long one lookup may take, both address families together: past it the lookup fails. */
  budgetMs: number;
  /** Longest time an answer is kept, whatever its TTL (default 300 s). */
  maxTtlMs?: number;
  /** Shortest time an answer is kept, so a burst to one name asks once (default 1 s). */
  minTtlMs?: number;
  /** Names kept at most (the oldest go first; default 10,000). */
  maxEntries?: number;
}

/** A lookup that failed; `code` as Node's own (`ENOTFOUND`, `EAI_AGAIN`), `EDNSTIMEOUT` past the budget. */
export class DnsError extends Error {
  override readonly name = 'DnsError';
  constructor(
    readonly code: 'ENOTFOUND' | 'EAI_AGAIN' | 'EDNSTIMEOUT',
    message: string,
  ) {
    super(message);
  }
}

interface Cached {
  addresses: LookupAddress[];
  expiresAt: number;
}

type Answer = { ok: true; records: Array<{ address: string; ttl: number }> } | { ok: false; code: string };

/** Parses DNS_SERVERS (`1.1.1.1,127.0.0.1:5353,[::1]:53`); throws naming the bad entry. */
export function parseDnsServers(text: string): string[] {
  const servers = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const server of servers) {
    try {
      new dns.Resolver().setServers([server]);
    } catch {
      throw new Error(`"${server}" is not an IP address with an optional port`);
    }
  }
  return servers;
}

/**
 * Hostname resolution for outgoing webhooks that cannot stall other lookups: c-ares queries
 * (`dns.promises.Resolver`, asynchronous on the event loop) instead of `getaddrinfo` on libuv's
 * 4-thread pool, where four slow names block every other lookup of the process. Each lookup has a time
 * budget, concurrent lookups of one name share one query, and answers are cached for their TTL (within
 * `minTtlMs`..`maxTtlMs`). Failures are not cached. `localhost` names are loopback (RFC 6761), as the
 * hosts file would say; nothing else of the hosts file is read.
 */
export class CachingResolver {
  private readonly resolver: InstanceType<typeof dns.Resolver>;
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<LookupAddress[]>>();
  private readonly maxTtlMs: number;
  private readonly minTtlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly opts: DnsOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.resolver = new dns.Resolver({ timeout: Math.max(50, Math.ceil(opts.budgetMs / 2)), tries: 2 });
    if (opts.servers && opts.servers.length > 0) this.resolver.setServers(opts.servers);
    this.maxTtlMs = opts.maxTtlMs ?? 300_000;
    this.minTtlMs = Math.min(opts.minTtlMs ?? 1000, this.maxTtlMs);
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  /** The addresses of `hostname`, IPv4 first; rejects with DnsError. */
  resolve(hostname: string): Promise<LookupAddress[]> {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    const family = isIP(name);
    if (family !== 0) return Promise.resolve([{ address: name, family }]);
    if (name === 'localhost' || name.endsWith('.localhost')) {
      return Promise.resolve([
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ]);
    }
    const cached = this.cache.get(name);
    if (cached && cached.expiresAt > this.now()) return Promise.resolve(cached.addresses);
    if (cached) this.cache.delete(name);
    let lookup = this.pending.get(name);
    if (!lookup) {
      lookup = this.query(name).finally(() => this.pending.delete(name));
      this.pending.set(name, lookup);
    }
    return lookup;
  }

  private async query(name: string): Promise<LookupAddress[]> {
    const answers: { v4?: Answer; v6?: Answer } = {};
    const ask = (q: Promise<Array<{ address: string; ttl: number }>>, family: 'v4' | 'v6') =>
      q.then(
        (records) => void (answers[family] = { ok: true, records }),
        (err: { code?: string }) => void (answers[family] = { ok: false, code: err.code ?? 'EAI_AGAIN' }),
      );
    const both = Promise.all([
      ask(this.resolver.resolve4(name, { ttl: true }), 'v4'),
      ask(this.resolver.resolve6(name, { ttl: true }), 'v6'),
    ]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([both, new Promise<void>((r) => (timer = setTimeout(r, this.opts.budgetMs)))]);
    clearTimeout(timer);
    const { v4, v6 } = answers;
    const records = [
      ...(v4?.ok ? v4.records.map((r) => ({ ...r, family: 4 })) : []),
      ...(v6?.ok ? v6.records.map((r) => ({ ...r, family: 6 })) : []),
    ];
    if (records.length > 0) {
      const addresses = records.map(({ address, family }) => ({ address, family }));
      const ttlMs = Math.min(...records.map((r) => r.ttl * 1000));
      this.remember(name, addresses, Math.max(this.minTtlMs, Math.min(this.maxTtlMs, ttlMs)));
      return addresses;
    }
    if (!v4 || !v6) {
      throw new DnsError(
        'EDNSTIMEOUT',
        `DNS lookup of ${name} got no answer within ${this.opts.budgetMs} ms`,
      );
    }
    const codes = [v4, v6].map((a) => (a.ok ? 'ENODATA' : a.code));
    if (codes.every((c) => c === 'ENOTFOUND' || c === 'ENODATA')) {
      throw new DnsError('ENOTFOUND', `DNS: ${name} has no address`);
    }
    throw new DnsError('EAI_AGAIN', `DNS lookup of ${name} failed (${codes.join(', ')})`);
  }

  private remember(name: string, addresses: LookupAddress[], ttlMs: number): void {
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(name, { addresses, expiresAt: this.now() + ttlMs });
  }
}
