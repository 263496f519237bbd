import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { waitFor } from '../support/processes';
import { TestSystem } from '../support/system';

const TIMEOUT_MS = 60_000; // the hanging POSTs outlast the test's checks
const PER_ENDPOINT = 8;
const PER_ACCOUNT = 150;
const IN_FLIGHT = 400;

/**
 * One host:port whose paths under /hang never answer while every other path answers 200 at once: hanging
 * and healthy URLs on the same origin. Counts the open (hanging) requests per path.
 */
class MixedEndpoint {
  private server: Server | null = null;
  readonly open = new Map<string, number>();
  readonly maxOpen = new Map<string, number>();
  readonly answered: Array<{ path: string; at: number }> = [];
  hangingReceived = 0;
  firstHangAt = 0;

  async start(): Promise<this> {
    this.server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
      const path = req.url ?? '';
      req.resume();
      if (!path.startsWith('/hang')) {
        req.on('end', () => {
          this.answered.push({ path, at: Date.now() });
          res.writeHead(200).end('ok');
        });
        return;
      }
      this.hangingReceived++;
      this.firstHangAt ||= Date.now();
      const now = (this.open.get(path) ?? 0) + 1;
      this.open.set(path, now);
      this.maxOpen.set(path, Math.max(now, this.maxOpen.get(path) ?? 0));
      res.on('close', () => this.open.set(path, (this.open.get(path) ?? 1) - 1));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}${path}`;
  }

  openWhere(match: (path: string) => boolean): number {
    let n = 0;
    for (const [path, count] of this.open) if (match(path)) n += count;
    return n;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

describe('dispatch fairness: URL slots, an account cap, and a window that waiting jobs do not fill', () => {
  let system: TestSystem;
  let mixed: MixedEndpoint;
  let hangers: MixedEndpoint[];
  let healthy: MixedEndpoint;

  beforeAll(async () => {
    mixed = await new MixedEndpoint().start();
    hangers = [
      await new MixedEndpoint().start(),
      await new MixedEndpoint().start(),
      await new MixedEndpoint().start(),
    ];
    healthy = await new MixedEndpoint().start();
    system = await TestSystem.start({
      env: {
        DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
        DISPATCH_MAX_PER_ENDPOINT: String(PER_ENDPOINT),
        DISPATCH_MAX_PER_ACCOUNT: String(PER_ACCOUNT),
        DISPATCH_MAX_IN_FLIGHT: String(IN_FLIGHT),
      },
    });
  }, 120_000);

  afterAll(async () => {
    // The hung requests end first (connection closed: they fail fast), so the services stop promptly.
    for (const server of [mixed, ...(hangers ?? []), healthy]) await server?.stop();
    if (system) await system.stop();
  }, 120_000);

  it('account A hangs 40 URLs (10 on the same host:port as healthy URLs) and D one URL, each with a deep backlog: the healthy URLs of B, of C (under its cap) and on that host are all delivered while the hang lasts; A holds exactly its cap of connections, each URL at most its own', async () => {
    const accountA = await system.admin('/internal/v1/accounts', { name: 'A' });
    const accountB = await system.admin('/internal/v1/accounts', { name: 'B' });
    const accountC = await system.admin('/internal/v1/accounts', { name: 'C' });
    const accountD = await system.admin('/internal/v1/accounts', { name: 'D' });

    // A: 40 hanging URLs, 3 per domain: 10 on the mixed host, 30 on three hanging hosts.
    const hangingUrls = [
      ...Array.from({ length: 10 }, (_, i) => mixed.url(`/hang-a${i}`)),
      ...hangers.flatMap((h, k) => Array.from({ length: 10 }, (_, i) => h.url(`/hang-a${k}-${i}`))),
    ];
    const hangDomains: string[] = [];
    for (let i = 0; i < hangingUrls.length; i += 3) {
      const domain = `hang-${i / 3}.a.example.com`;
      hangDomains.push(domain);
      await system.addDomain(accountA, domain, [['delivered', hangingUrls.slice(i, i + 3)]]);
    }
    // B: healthy URLs, one on the mixed host. C: two hanging URLs and a healthy one, all on the mixed host.
    await system.addDomain(accountB, 'b.example.com', [
      ['delivered', [mixed.url('/ok-b'), healthy.url('/ok-b1'), healthy.url('/ok-b2')]],
    ]);
    await system.addDomain(accountC, 'hang.c.example.com', [
      ['delivered', [mixed.url('/hang-c0'), mixed.url('/hang-c1')]],
    ]);
    await system.addDomain(accountC, 'ok.c.example.com', [['delivered', mixed.url('/ok-c')]]);
    // D: one hanging URL with a deep backlog of its own.
    await system.addDomain(accountD, 'hang.d.example.com', [['delivered', hangers[0].url('/hang-d')]]);
    await system.configPropagated();

    // A's backlog: 15 events per hanging domain, 600 jobs, more than the whole in-flight window.
    for (const domain of hangDomains) await system.produceSeedEvents('delivered', domain, 15, 'hang-a');
    await system.produceSeedEvents('delivered', 'hang.c.example.com', 10, 'hang-c');
    await system.produceSeedEvents('delivered', 'hang.d.example.com', 300, 'hang-d');
    const hangingTotal = () => [mixed, ...hangers].reduce((n, h) => n + h.hangingReceived, 0);
    await waitFor(() => hangingTotal() >= 32, 60_000, 'the hanging URLs to get their first POSTs');
    await sleep(2000); // the dispatcher has fetched what it will of the backlog

    const producedAt = Date.now();
    await system.produceSeedEvents('delivered', 'b.example.com', 20, 'ok-b');
    await system.produceSeedEvents('delivered', 'ok.c.example.com', 20, 'ok-c');
    const delivered = () => {
      const count = (server: MixedEndpoint, path: string) =>
        server.answered.filter((a) => a.path === path).length;
      return {
        'B on the mixed host': count(mixed, '/ok-b'),
        'B elsewhere': count(healthy, '/ok-b1') + count(healthy, '/ok-b2'),
        'C on the mixed host': count(mixed, '/ok-c'),
      };
    };
    try {
      await waitFor(
        () => {
          const d = delivered();
          return d['B on the mixed host'] >= 20 && d['B elsewhere'] >= 40 && d['C on the mixed host'] >= 20;
        },
        25_000,
        'every healthy delivery',
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(delivered())}`, { cause: err });
    }
    const lastHealthy = Math.max(...[...mixed.answered, ...healthy.answered].map((a) => a.at));
    const firstHang = Math.min(...[mixed, ...hangers].map((h) => h.firstHangAt).filter((t) => t > 0));
    assert.ok(
      lastHealthy < firstHang + TIMEOUT_MS,
      `the healthy deliveries did not wait for the hung POSTs to time out (${lastHealthy - producedAt} ms after they were produced)`,
    );

    // A is held at its cap (its 40 URLs would take 320); C, under its cap, has its 2 URLs at their cap.
    await waitFor(
      () =>
        mixed.openWhere((p) => p.startsWith('/hang-a')) +
          hangers.reduce((n, h) => n + h.openWhere((p) => p.startsWith('/hang-a')), 0) ===
          PER_ACCOUNT &&
        mixed.openWhere((p) => p.startsWith('/hang-c')) === 2 * PER_ENDPOINT &&
        hangers[0].openWhere((p) => p === '/hang-d') === PER_ENDPOINT,
      10_000,
      "A at its account cap, C's and D's URLs at theirs",
    );
    const perUrlMax = Math.max(...[mixed, ...hangers].flatMap((h) => [...h.maxOpen.values()]));
    assert.ok(perUrlMax <= PER_ENDPOINT, `at most ${PER_ENDPOINT} at once per URL (saw ${perUrlMax})`);
    const fanOut = system.service('fan-out');
    assert.equal((await fanOut.readiness()).ok, true);
    // The rest of A's backlog waits for slots, outside the in-flight window, and the gauge says so.
    const metrics = await (await fetch(`${fanOut.url}/metrics`)).text();
    const waiting = Number(/hookpost_deliveries_waiting\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);
    assert.ok(waiting > IN_FLIGHT - PER_ACCOUNT, `${waiting} deliveries waiting for a slot`);
  }, 180_000);
});
