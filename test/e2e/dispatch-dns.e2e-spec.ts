/**
 * Webhook hosts are resolved by fan-out's own resolver (c-ares, DNS_SERVERS, a DNS_TIMEOUT_MS budget),
 * here against a DNS server on UDP loopback that never answers for `*.hang.test`: those lookups fail at
 * their budget as retryable `dns` failures while every other delivery, by name or by address, goes on;
 * a name that resolves to a refused private address is refused with a reason that does not say which.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { TOPICS, type DeliveryAttempt } from '@hookpost/contracts';
import { TestDnsServer } from '../support/dns-server';
import { waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

const DNS_TIMEOUT_MS = 5000;

describe('dispatch: DNS lookups with a budget, none stalling the others', () => {
  let system: TestSystem;
  let dns: TestDnsServer;
  let healthy: Receiver;

  beforeAll(async () => {
    dns = await new TestDnsServer((name) => {
      if (name.endsWith('.hang.test')) return 'hang';
      if (name === 'inside.test') return { addresses: ['127.0.0.1'] };
      if (name === 'ok.test') return { addresses: ['127.0.0.2'] };
      return 'nxdomain';
    }).start();
    healthy = await new Receiver().start('127.0.0.2');
    system = await TestSystem.start({
      env: {
        DNS_SERVERS: dns.address,
        DNS_TIMEOUT_MS: String(DNS_TIMEOUT_MS),
        DESTINATION_ALLOW_PRIVATE: 'false',
        DESTINATION_ALLOWLIST: '127.0.0.2/32',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await healthy?.stop();
    if (system) await system.stop();
    await dns?.stop();
  }, 60_000);

  it('8 host names whose lookups hang do not delay deliveries to other names and addresses; they fail as `dns` at the budget', async () => {
    const port = new URL(healthy.url('/')).port;
    const account = await system.admin('/internal/v1/accounts', { name: 'N' });
    const hung = Array.from({ length: 8 }, (_, i) => `http://h${i}.hang.test:${port}/x`);
    await system.addDomain(account, 'h1.example.com', [['delivered', hung.slice(0, 3)]]);
    await system.addDomain(account, 'h2.example.com', [['delivered', hung.slice(3, 6)]]);
    await system.addDomain(account, 'h3.example.com', [['delivered', hung.slice(6)]]);
    await system.addDomain(account, 'ok.example.com', [
      ['delivered', [`http://ok.test:${port}/by-name`, healthy.url('/by-address')]],
    ]);
    await system.configPropagated();

    for (const d of ['h1', 'h2', 'h3'])
      await system.produceSeedEvents('delivered', `${d}.example.com`, 20, d);
    await waitFor(
      () => [...dns.queries.keys()].filter((n) => n.endsWith('.hang.test')).length === hung.length,
      30_000,
      'every hanging name to be looked up',
    );
    const hangBegan = Date.now();
    await system.produceSeedEvents('delivered', 'ok.example.com', 30, 'ok');
    const byName = await healthy.waitFor('/by-name', 30, 30_000);
    const byAddress = await healthy.waitFor('/by-address', 30, 30_000);
    const last = Math.max(...[...byName, ...byAddress].map((r) => r.at));
    assert.ok(
      last < hangBegan + DNS_TIMEOUT_MS,
      `60 deliveries arrived ${last - hangBegan} ms after the hanging lookups began (budget ${DNS_TIMEOUT_MS} ms)`,
    );
    assert.equal(dns.queries.get('ok.test'), 2, 'ok.test asked once (A and AAAA), then cached');

    const attempts = await system.consumeUntil(
      TOPICS.deliveryAttempts,
      (v) => JSON.parse(v.toString('utf8')) as DeliveryAttempt,
      (items) => items.filter((a) => a.url.includes('.hang.test') && a.outcome === 'failed').length >= 8,
      60_000,
    );
    const failed = attempts.filter((a) => a.url.includes('.hang.test') && a.outcome === 'failed');
    for (const a of failed) {
      assert.equal(a.error_class, 'dns', JSON.stringify(a));
      assert.match(a.reason ?? '', /h\d\.hang\.test got no answer within 5000 ms/);
      assert.ok(a.duration_ms >= DNS_TIMEOUT_MS - 100, `failed after ${a.duration_ms} ms`);
    }
  }, 180_000);

  it('a name that resolves to 127.0.0.1 while private destinations are refused: destination_refused, and the reason does not say the address', async () => {
    const port = new URL(healthy.url('/')).port;
    const account = await system.admin('/internal/v1/accounts', { name: 'P' });
    await system.addDomain(account, 'inside.example.com', [['delivered', `http://inside.test:${port}/in`]]);
    await system.configPropagated();
    const [id] = await system.produceSeedEvents('delivered', 'inside.example.com', 1, 'inside');
    const attempts = await system.consumeUntil(
      TOPICS.deliveryAttempts,
      (v) => JSON.parse(v.toString('utf8')) as DeliveryAttempt,
      (items) => items.some((a) => a.event_id === id && a.outcome === 'failed'),
    );
    const attempt = attempts.find((a) => a.event_id === id && a.outcome === 'failed');
    assert.equal(attempt?.error_class, 'destination_refused');
    assert.match(attempt?.reason ?? '', /inside\.test resolves to a private or reserved address/);
    assert.doesNotMatch(attempt?.reason ?? '', /127\.0\.0\.1/);
    assert.equal(healthy.received('/in').length, 0);
  }, 60_000);
});
