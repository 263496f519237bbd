import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { freePort, ServiceProcess } from '../support/processes';
import { SERVICE_NAMES, stackEnv } from '../support/system';

describe('start-up validates the environment', () => {
  for (const name of SERVICE_NAMES) {
    it(`${name}: a missing KAFKA_BROKERS stops it with a message naming the variable`, async () => {
      const { DATABASE_URL } = stackEnv();
      const service = ServiceProcess.spawn(
        name,
        { DATABASE_URL, ADMIN_TOKEN: 'x'.repeat(32) },
        await freePort(),
      );
      const code = await service.exited();
      assert.notEqual(code, 0);
      assert.match(service.output.join(''), /KAFKA_BROKERS: is required/);
    });
  }

  it('config: a wrong DATABASE_URL, a short ADMIN_TOKEN and a bad port are all named', async () => {
    const service = ServiceProcess.spawn(
      'config',
      {
        KAFKA_BROKERS: '127.0.0.1:9092',
        DATABASE_URL: 'mysql://x',
        ADMIN_TOKEN: 'short',
        GRPC_PORT: '70000',
      },
      await freePort(),
    );
    assert.equal(await service.exited(), 78);
    const out = service.output.join('');
    assert.match(out, /DATABASE_URL: must be a postgres:\/\/ URL/);
    assert.match(out, /ADMIN_TOKEN: must be at least 16 characters/);
    assert.match(out, /GRPC_PORT/);
  });

  it('retry: a malformed RETRY_SCHEDULE is named with the bad element', async () => {
    const service = ServiceProcess.spawn(
      'retry',
      { KAFKA_BROKERS: '127.0.0.1:9092', RETRY_SCHEDULE: '10m,soon' },
      await freePort(),
    );
    assert.equal(await service.exited(), 78);
    assert.match(service.output.join(''), /RETRY_SCHEDULE: "soon" is not a delay/);
  });
});
