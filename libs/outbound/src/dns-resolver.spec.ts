import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { TestDnsServer } from '../../../test/support/dns-server';
import { CachingResolver, DnsError, parseDnsServers } from './dns-resolver';

describe('CachingResolver (against a DNS server on UDP loopback)', () => {
  let server: TestDnsServer;
  beforeAll(async () => {
    server = await new TestDnsServer((name) => {
      if (name.startsWith('hang')) return 'hang';
      if (name === 'missing.test') return 'nxdomain';
      if (name === 'dual.test') return { addresses: ['192.0.2.7', '2001:db8::7'], ttl: 30 };
      return { addresses: ['192.0.2.1'], ttl: 1 };
    }).start();
  });
  afterAll(() => server.stop());

  const resolver = (now?: () => number, budgetMs = 300) =>
    new CachingResolver({ servers: [server.address], budgetMs }, now);

  it('given a name with A and AAAA records, then both are returned, IPv4 first', async () => {
    assert.deepEqual(await resolver().resolve('dual.test'), [
      { address: '192.0.2.7', family: 4 },
      { address: '2001:db8::7', family: 6 },
    ]);
  });

  it('given concurrent and repeated lookups of one name within its TTL, then the server is asked once (per family)', async () => {
    let clock = 1_000_000;
    const r = resolver(() => clock);
    const before = server.queries.get('cached.test') ?? 0;
    const all = await Promise.all([
      r.resolve('cached.test'),
      r.resolve('CACHED.test.'),
      r.resolve('cached.test'),
    ]);
    assert.ok(all.every((a) => a[0].address === '192.0.2.1'));
    await r.resolve('cached.test');
    assert.equal((server.queries.get('cached.test') ?? 0) - before, 2, 'one A and one AAAA query');
    clock += 1500; // past the 1 s TTL
    await r.resolve('cached.test');
    assert.equal((server.queries.get('cached.test') ?? 0) - before, 4, 'asked again once expired');
  });

  it('given a server that never answers, then the lookup fails with EDNSTIMEOUT within its budget, and other names resolve meanwhile', async () => {
    const r = resolver(undefined, 400);
    const started = Date.now();
    const hanging = Array.from({ length: 8 }, (_, i) => r.resolve(`hang${i}.test`).catch((e: unknown) => e));
    const other = await r.resolve('fine.test');
    assert.ok(Date.now() - started < 300, `another name resolved in ${Date.now() - started} ms`);
    assert.equal(other[0].address, '192.0.2.1');
    const errors = await Promise.all(hanging);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 390 && elapsed < 1500, `failed after ${elapsed} ms`);
    for (const err of errors) {
      assert.ok(err instanceof DnsError);
      assert.equal(err.code, 'EDNSTIMEOUT');
      assert.match(err.message, /hang\d\.test got no answer within 400 ms/);
    }
  });

  it('given a name that does not exist, then ENOTFOUND', async () => {
    await assert.rejects(resolver().resolve('missing.test'), (err: unknown) => {
      assert.ok(err instanceof DnsError);
      assert.equal(err.code, 'ENOTFOUND');
      return true;
    });
  });

  it('given an IP literal or a localhost name, then no query is made', async () => {
    const r = new CachingResolver({ servers: ['127.0.0.1:9'], budgetMs: 100 });
    assert.deepEqual(await r.resolve('203.0.113.5'), [{ address: '203.0.113.5', family: 4 }]);
    assert.deepEqual(
      (await r.resolve('api.localhost')).map((a) => a.address),
      ['127.0.0.1', '::1'],
    );
  });
});

describe('parseDnsServers', () => {
  it('given addresses with and without ports, then the list; given a name, then an error naming it', () => {
    assert.deepEqual(parseDnsServers(' 1.1.1.1, 127.0.0.1:5353 ,[::1]:53'), [
      '1.1.1.1',
      '127.0.0.1:5353',
      '[::1]:53',
    ]);
    assert.deepEqual(parseDnsServers(''), []);
    assert.throws(() => parseDnsServers('1.1.1.1,dns.example.com'), /"dns.example.com" is not an IP address/);
  });
});
