import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { waitFor } from '../support/processes';
import { SERVICE_NAMES, TestSystem } from '../support/system';

/** The major of a version string such as `v24.22.3`. */
const major = (version: string) => Number(/^v?(\d+)\./.exec(version)?.[1]);

/** The `node` field of a service's "listening" log line (pino JSON), or undefined before that line. */
function listeningNode(output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes(' listening')) continue;
    try {
      const record = JSON.parse(line) as { msg?: string; node?: string };
      if (record.msg?.endsWith(' listening') && record.node) return record.node;
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

describe('the runtime: Node 24 (the image, npm test and npm start run the same)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ env: { LOG_LEVEL: 'info' } });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('the tests run on Node 24 or later', () => {
    assert.ok(major(process.version) >= 24, `jest runs on ${process.version}`);
  });

  for (const name of SERVICE_NAMES) {
    it(`${name} says it listens, on Node 24 or later`, async () => {
      const service = system.service(name);
      const node = await waitFor(
        () => listeningNode(service.output.join('')),
        30_000,
        `${name}'s listening line`,
      );
      assert.ok(major(node) >= 24, `${name} runs on ${node}`);
    });
  }
});
