import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { destinationAllowed, parseCidrList } from './destination';

const STRICT = { allowPrivate: false, allowCidrs: [] };

describe('destinationAllowed', () => {
  describe('given the default policy (public unicast only)', () => {
    const cases: Array<[string, string, boolean]> = [
      ['a public IPv4 address', '8.8.8.8', true],
      ['another public IPv4 address', '203.0.114.10', true],
      ['a public IPv6 address', '2001:4860:4860::8888', true],
      ['a public IPv4 address mapped into IPv6', '::ffff:8.8.8.8', true],
      ['loopback', '127.0.0.1', false],
      ['another loopback address', '127.10.0.1', false],
      ['10.0.0.0/8', '10.1.2.3', false],
      ['172.16.0.0/12', '172.16.0.1', false],
      ['the top of 172.16.0.0/12', '172.31.255.254', false],
      ['192.168.0.0/16', '192.168.1.1', false],
      ['the cloud metadata address', '169.254.169.254', false],
      ['carrier-grade NAT', '100.64.0.1', false],
      ['the unspecified IPv4 address', '0.0.0.0', false],
      ['broadcast', '255.255.255.255', false],
      ['multicast', '224.0.0.1', false],
      ['IPv6 loopback', '::1', false],
      ['the unspecified IPv6 address', '::', false],
      ['IPv6 unique local (fc00::/7)', 'fc00::1', false],
      ['IPv6 unique local in fd00::/8', 'fd12:3456::1', false],
      ['IPv6 link-local', 'fe80::1', false],
      ['loopback mapped into IPv6', '::ffff:127.0.0.1', false],
      ['a private address mapped into IPv6', '::ffff:10.0.0.1', false],
      ['the metadata address mapped into IPv6', '::ffff:169.254.169.254', false],
      ['not an IP address', 'hooks.example.net', false],
      ['an empty string', '', false],
    ];
    for (const [name, address, expected] of cases) {
      it(`given ${name} (${address || '""'}), then it is ${expected ? 'allowed' : 'refused'}`, () => {
        assert.equal(destinationAllowed(address, STRICT), expected);
      });
    }
  });

  describe('given allowPrivate, then every address is allowed', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '::1', 'fc00::1', '8.8.8.8']) {
      it(`given ${address}`, () => {
        assert.equal(destinationAllowed(address, { allowPrivate: true, allowCidrs: [] }), true);
      });
    }
  });

  describe('given an allowlist of 10.0.0.0/8 and fd00::/8', () => {
    const policy = { allowPrivate: false, allowCidrs: parseCidrList('10.0.0.0/8, fd00::/8') };
    const cases: Array<[string, boolean]> = [
      ['10.1.2.3', true],
      ['::ffff:10.1.2.3', true],
      ['fd12:3456::1', true],
      ['8.8.8.8', true],
      ['192.168.1.1', false],
      ['127.0.0.1', false],
      ['fc00::1', false],
      ['169.254.169.254', false],
    ];
    for (const [address, expected] of cases) {
      it(`given ${address}, then it is ${expected ? 'allowed' : 'refused'}`, () => {
        assert.equal(destinationAllowed(address, policy), expected);
      });
    }
  });

  it('given a single allowlisted host, then only that host of its network is allowed', () => {
    const policy = { allowPrivate: false, allowCidrs: parseCidrList('192.168.1.5') };
    assert.equal(destinationAllowed('192.168.1.5', policy), true);
    assert.equal(destinationAllowed('192.168.1.6', policy), false);
  });
});

describe('parseCidrList', () => {
  it('given an empty list, then there are no ranges', () => {
    assert.deepEqual(parseCidrList(''), []);
    assert.deepEqual(parseCidrList(' , '), []);
  });

  it('given ranges and bare addresses, then bare addresses become single-host ranges', () => {
    const ranges = parseCidrList('10.0.0.0/8, 192.168.1.5 ,::1,fd00::/8');
    assert.deepEqual(
      ranges.map(([ip, bits]) => `${ip.toString()}/${bits}`),
      ['10.0.0.0/8', '192.168.1.5/32', '::1/128', 'fd00::/8'],
    );
  });

  describe('given a bad entry, then it throws naming it', () => {
    const cases: Array<[string, string]> = [
      ['nonsense', 'nonsense'],
      ['10.0.0.0/8,10.0.0.0/33', '10.0.0.0/33'],
      ['300.1.1.1', '300.1.1.1'],
      ['10.0.0.0/', '10.0.0.0/'],
      ['fd00::/129', 'fd00::/129'],
      ['hooks.example.net', 'hooks.example.net'],
    ];
    for (const [text, entry] of cases) {
      it(`given ${JSON.stringify(text)}`, () => {
        assert.throws(() => parseCidrList(text), {
          message: `"${entry}" is not an IP address or CIDR range`,
        });
      });
    }
  });
});
