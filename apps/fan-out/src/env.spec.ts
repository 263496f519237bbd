import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { parseEnv } from '@hookpost/runtime';
import { fanOutEnvProblems, fanOutEnvShape, perAccountLimit, waitingLimit } from './env';

const base = { KAFKA_BROKERS: '127.0.0.1:9092' };

describe('fan-out environment', () => {
  it('given no KAFKA_COMPRESSION, then attempt events go uncompressed; set, then as set', () => {
    assert.equal(parseEnv(fanOutEnvShape, base).KAFKA_COMPRESSION, 'none');
    assert.equal(parseEnv(fanOutEnvShape, { ...base, KAFKA_COMPRESSION: 'zstd' }).KAFKA_COMPRESSION, 'zstd');
  });

  it('given no DISPATCH_MAX_PER_ACCOUNT, then a quarter of the in-flight window', () => {
    assert.equal(perAccountLimit(parseEnv(fanOutEnvShape, base)), 250);
    assert.equal(perAccountLimit(parseEnv(fanOutEnvShape, { ...base, DISPATCH_MAX_IN_FLIGHT: '2' })), 1);
  });

  it('given no DISPATCH_MAX_WAITING, then twice the in-flight window; set, then as set', () => {
    assert.equal(waitingLimit(parseEnv(fanOutEnvShape, base)), 2000);
    assert.equal(waitingLimit(parseEnv(fanOutEnvShape, { ...base, DISPATCH_MAX_IN_FLIGHT: '400' })), 800);
    assert.equal(waitingLimit(parseEnv(fanOutEnvShape, { ...base, DISPATCH_MAX_WAITING: '50000' })), 50000);
    assert.throws(
      () => parseEnv(fanOutEnvShape, { ...base, DISPATCH_MAX_WAITING: '0' }),
      /DISPATCH_MAX_WAITING/,
    );
  });

  it('given an account cap above the window, then a problem naming the variable', () => {
    const env = parseEnv(fanOutEnvShape, {
      ...base,
      DISPATCH_MAX_IN_FLIGHT: '100',
      DISPATCH_MAX_PER_ACCOUNT: '101',
    });
    assert.match(
      fanOutEnvProblems(env).join('\n'),
      /^DISPATCH_MAX_PER_ACCOUNT: 101 is above DISPATCH_MAX_IN_FLIGHT/,
    );
    assert.deepEqual(fanOutEnvProblems(parseEnv(fanOutEnvShape, base)), []);
  });

  it('given DNS_SERVERS with a host name or DNS_TIMEOUT_MS out of range, then parseEnv names them', () => {
    assert.throws(
      () =>
        parseEnv(fanOutEnvShape, { ...base, DNS_SERVERS: '127.0.0.1:53,dns.example', DNS_TIMEOUT_MS: '0' }),
      (err: Error) =>
        /DNS_SERVERS: "dns.example" is not an IP address/.test(err.message) &&
        /DNS_TIMEOUT_MS/.test(err.message),
    );
    assert.throws(
      () => parseEnv(fanOutEnvShape, { ...base, DISPATCH_RECORD_TIMEOUT_MS: '10' }),
      /DISPATCH_RECORD_TIMEOUT_MS/,
    );
  });
});
