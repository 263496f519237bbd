import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ErrorClass } from '@hookpost/contracts';
import {
  decideRetry,
  DEFAULT_RETRY_SCHEDULE,
  delayLabels,
  parseRetrySchedule,
  type RetryDecision,
  type RetryStep,
} from './retry-policy';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = 1_770_146_798_000;

describe('parseRetrySchedule', () => {
  it("given the default schedule, when parsed, then it is the seed's 10m, 10m, 15m, 30m, 1h, 2h, 4h", () => {
    assert.deepEqual(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE), [
      { label: '10m', delayMs: 10 * MIN },
      { label: '10m', delayMs: 10 * MIN },
      { label: '15m', delayMs: 15 * MIN },
      { label: '30m', delayMs: 30 * MIN },
      { label: '1h', delayMs: HOUR },
      { label: '2h', delayMs: 2 * HOUR },
      { label: '4h', delayMs: 4 * HOUR },
    ]);
  });

  it('given every unit, when parsed, then each delay is converted to ms and labelled as written', () => {
    assert.deepEqual(parseRetrySchedule('250ms,2s,3m,4h,1d'), [
      { label: '250ms', delayMs: 250 },
      { label: '2s', delayMs: 2000 },
      { label: '3m', delayMs: 3 * MIN },
      { label: '4h', delayMs: 4 * HOUR },
      { label: '1d', delayMs: 24 * HOUR },
    ]);
  });

  it('given spaces and empty elements, when parsed, then they are ignored', () => {
    assert.deepEqual(parseRetrySchedule(' 10m , ,1h,'), [
      { label: '10m', delayMs: 10 * MIN },
      { label: '1h', delayMs: HOUR },
    ]);
  });

  describe('given a bad schedule, when parsed, then it throws naming the bad element', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /^the schedule is empty$/],
      [' , ,', /^the schedule is empty$/],
      ['10', /^"10" is not a delay/],
      ['10x', /^"10x" is not a delay/],
      ['0m', /^"0m" is not a delay/],
      ['-5m', /^"-5m" is not a delay/],
      ['1.5h', /^"1.5h" is not a delay/],
      ['m', /^"m" is not a delay/],
      ['10 m', /^"10 m" is not a delay/],
      ['10M', /^"10M" is not a delay/],
      ['10m,bogus,1h', /^"bogus" is not a delay like 10m, 30s, 1h$/],
      ['10m;15m', /^"10m;15m" is not a delay/],
    ];
    for (const [text, message] of cases) {
      it(`given ${JSON.stringify(text)}`, () => {
        assert.throws(() => parseRetrySchedule(text), { message });
      });
    }
  });
});

describe('delayLabels', () => {
  it('given the default schedule, then each distinct delay appears once, in order', () => {
    assert.deepEqual(delayLabels(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)), [
      '10m',
      '15m',
      '30m',
      '1h',
      '2h',
      '4h',
    ]);
  });

  it('given an empty schedule, then there are no labels', () => {
    assert.deepEqual(delayLabels([]), []);
  });
});

describe('decideRetry', () => {
  const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);
  const decide = (
    outcome: 'delivered' | 'rejected' | 'failed' | 'dropped',
    attempt: number,
    webhook = 'opened',
    excluded: readonly string[] = ['delivered'],
    steps: readonly RetryStep[] = schedule,
    errorClass: ErrorClass | null = outcome === 'failed' ? 'timeout' : null,
  ): RetryDecision =>
    decideRetry({
      outcome,
      errorClass,
      attempt,
      webhook,
      schedule: steps,
      excludedEvents: new Set(excluded),
      failedAt: NOW,
    });

  describe('given an attempt that ended the delivery, then it is done', () => {
    for (const outcome of ['delivered', 'rejected', 'dropped'] as const) {
      for (const attempt of [1, 4, 8, 9]) {
        it(`given ${outcome} on attempt ${attempt}`, () => {
          assert.deepEqual(decide(outcome, attempt), { kind: 'done' });
        });
      }
    }
  });

  describe('given a failed attempt n, then the retry is step n of the schedule, due its delay after the failure', () => {
    const expected: Array<[number, string, number]> = [
      [1, '10m', 10 * MIN],
      [2, '10m', 10 * MIN],
      [3, '15m', 15 * MIN],
      [4, '30m', 30 * MIN],
      [5, '1h', HOUR],
      [6, '2h', 2 * HOUR],
      [7, '4h', 4 * HOUR],
    ];
    for (const [attempt, label, delayMs] of expected) {
      it(`given attempt ${attempt} failed, then attempt ${attempt + 1} is due in ${label}`, () => {
        assert.deepEqual(decide('failed', attempt), {
          kind: 'retry',
          step: { label, delayMs },
          dueAt: NOW + delayMs,
          nextAttempt: attempt + 1,
        });
      });
    }
  });

  it('given attempt 8 failed, when the seven retries are used up, then it gives up', () => {
    assert.deepEqual(decide('failed', 8), { kind: 'give_up', why: 'exhausted' });
    assert.deepEqual(decide('failed', 20), { kind: 'give_up', why: 'exhausted' });
  });

  it('given an interrupted POST, then nothing follows: its job is redelivered from its own topic, not retried', () => {
    assert.deepEqual(decide('failed', 1, 'opened', [], schedule, 'interrupted'), { kind: 'done' });
    assert.deepEqual(decide('failed', 8, 'delivered', ['delivered'], schedule, 'interrupted'), {
      kind: 'done',
    });
  });

  it('given a failure of an excluded event type, then it gives up at once', () => {
    assert.deepEqual(decide('failed', 1, 'delivered'), { kind: 'give_up', why: 'excluded' });
  });

  it('given an excluded event type that was delivered, then it is simply done', () => {
    assert.deepEqual(decide('delivered', 1, 'delivered'), { kind: 'done' });
  });

  it('given no excluded events, when a delivered webhook fails, then it is retried like any other', () => {
    assert.equal(decide('failed', 1, 'delivered', []).kind, 'retry');
  });

  it('given a delivery that fails every time, when followed to the end, then it makes 8 attempts over 485 minutes', () => {
    let attempt = 1;
    let now = NOW;
    for (;;) {
      const decision = decideRetry({
        outcome: 'failed',
        errorClass: 'http_status',
        attempt,
        webhook: 'clicked',
        schedule,
        excludedEvents: new Set(),
        failedAt: now,
      });
      if (decision.kind !== 'retry') {
        assert.equal(decision.kind, 'give_up');
        break;
      }
      assert.equal(decision.nextAttempt, attempt + 1);
      attempt = decision.nextAttempt;
      now = decision.dueAt;
    }
    assert.equal(attempt, 8);
    assert.equal(now - NOW, 485 * MIN);
  });

  it('given a one-step schedule, then the first failure is retried and the second gives up', () => {
    const oneStep = parseRetrySchedule('2s');
    assert.equal(decide('failed', 1, 'opened', [], oneStep).kind, 'retry');
    assert.deepEqual(decide('failed', 2, 'opened', [], oneStep), { kind: 'give_up', why: 'exhausted' });
  });
});
