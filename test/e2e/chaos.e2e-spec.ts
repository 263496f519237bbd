import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { chaosVerdict, runChaos } from '../support/chaos';
import { SERVICE_NAMES } from '../support/system';

/**
 * The small variant of `npm run test:chaos` (test/chaos/chaos.ts): 3,000 events to 10 endpoints while
 * each service is killed with -9 and started again, the broker restarts and PostgreSQL is down 5 s.
 */
describe('chaos: faults while events flow', () => {
  it('loses nothing, records one attempt per POST, and the config API answers 503 without PostgreSQL', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      events: 3000,
      endpoints: 10,
      faultGapMs: 2000,
      postgresDownMs: 5000,
      secondUrlEvery: 5,
      settleTimeoutMs: 120_000,
      log: (line) => lines.push(line),
    });
    const context = `${JSON.stringify(report)}\n${lines.join('\n')}`;
    assert.deepEqual(chaosVerdict(report), [], context);
    assert.equal(report.expected, 3600, context);
    assert.equal(report.lost, 0, context);
    assert.equal(report.attempts, report.posts, context);
    assert.equal(report.posts, report.expected + report.duplicates, context);
    for (const name of SERVICE_NAMES) {
      assert.ok((report.restarts[name] ?? 0) >= 1, `${name} was not restarted\n${context}`);
    }
    assert.ok((report.api_during_postgres_outage['503'] ?? 0) > 0, context);
  }, 300_000);
});
