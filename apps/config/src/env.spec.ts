import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { parseEnv } from '@hookpost/runtime';
import { configEnvProblems, configEnvShape, internalPortOf } from './env';

const env = (vars: Record<string, string>) =>
  parseEnv(configEnvShape, {
    KAFKA_BROKERS: '127.0.0.1:9092',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    ADMIN_TOKEN: 'a'.repeat(16),
    ...vars,
  });

describe('the internal API port', () => {
  it('given no INTERNAL_HTTP_PORT, or HTTP_PORT again, then the internal API shares HTTP_PORT', () => {
    assert.equal(internalPortOf(env({})), null);
    assert.equal(internalPortOf(env({ HTTP_PORT: '8080', INTERNAL_HTTP_PORT: '8080' })), null);
  });

  it('given a port of its own, then it is served there, and nothing is wrong', () => {
    const config = env({ INTERNAL_HTTP_PORT: '8090' });
    assert.equal(internalPortOf(config), 8090);
    assert.deepEqual(configEnvProblems(config), []);
  });

  it("given GRPC_PORT's port, then the problem names INTERNAL_HTTP_PORT", () => {
    assert.deepEqual(configEnvProblems(env({ INTERNAL_HTTP_PORT: '50051' })), [
      'INTERNAL_HTTP_PORT: must differ from GRPC_PORT',
    ]);
  });
});
