import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { attemptId, deliveryAttemptSchema, deliveryId, type DeliveryJob } from '@hookpost/contracts';
import { attemptOf, droppedAttempt, isFinal } from './attempts';
import type { Classification } from './classify';
import { expectEqual } from './testing/expect-equal';
import { sampleAttempt, sampleJob } from './testing/delivery-fixtures';

const HOOK_URL = 'https://hooks.example.net/mailgun';
const NOW_MS = 1_770_146_798_999;

const job = (domain: string, overrides: Partial<DeliveryJob> = {}): DeliveryJob =>
  sampleJob({ webhook: 'delivered', domain, url: HOOK_URL, ...overrides });

describe('isFinal', () => {
  it('given each failure outcome, then only failed is followed by more attempts', () => {
    expectEqual(
      (['failed', 'rejected', 'dropped'] as const).map((o) => [o, isFinal(o)]),
      [
        ['failed', false],
        ['rejected', true],
        ['dropped', true],
      ],
    );
  });

  it('given a delivered attempt, then it is final too: nothing follows it', () => {
    assert.equal(isFinal('delivered'), true);
  });
});

describe('attemptOf', () => {
  const result: Classification = {
    outcome: 'failed',
    httpStatus: 503,
    errorClass: 'http_status',
    reason: 'HTTP 503: busy',
  };

  it('given a job and its classification, when the attempt is built, then it is a valid attempt event, without the job (its record adds the job where needed)', () => {
    const j = job('s.example.com', { attempt: 3, trigger: 'retry' });
    const attempt = attemptOf({
      job: j,
      accountId: 'acc_sub',
      result,
      durationMs: 12.345678,
      attemptedAt: NOW_MS,
    });

    assert.deepEqual(deliveryAttemptSchema.parse(attempt), attempt);
    assert.deepEqual(attempt, {
      attempt_id: attemptId(j.delivery_id, 3),
      delivery_id: j.delivery_id,
      event_id: j.event_id,
      webhook: 'delivered',
      domain: 's.example.com',
      account_id: 'acc_sub',
      message_id: j.message_id,
      url: HOOK_URL,
      level: 'domain',
      attempt: 3,
      trigger: 'retry',
      outcome: 'failed',
      http_status: 503,
      error_class: 'http_status',
      reason: 'HTTP 503: busy',
      duration_ms: 12.346,
      attempted_at: NOW_MS,
    });
  });

  it("given a job of the primary's account-level webhook, when the attempt is built, then it carries the webhook's owner", () => {
    const j = job('s.example.com', { level: 'account', webhook_account_id: 'acc_primary' });
    const attempt = attemptOf({ job: j, accountId: 'acc_sub', result, durationMs: 1, attemptedAt: NOW_MS });
    assert.deepEqual(deliveryAttemptSchema.parse(attempt), attempt);
    assert.deepEqual([attempt.account_id, attempt.webhook_account_id], ['acc_sub', 'acc_primary']);
  });

  it('given the same job and attempt number twice, when built, then the attempt id is the same (replays are idempotent)', () => {
    const a = attemptOf({
      job: job('p.example.com'),
      accountId: null,
      result,
      durationMs: 1,
      attemptedAt: 1,
    });
    const b = attemptOf({
      job: job('p.example.com'),
      accountId: null,
      result,
      durationMs: 99,
      attemptedAt: 2,
    });
    assert.equal(a.attempt_id, b.attempt_id);
  });

  it('given another attempt number or delivery, when built, then the attempt id differs', () => {
    const base = attemptOf({
      job: job('p.example.com'),
      accountId: null,
      result,
      durationMs: 1,
      attemptedAt: 1,
    });
    const next = attemptOf({
      job: job('p.example.com', { attempt: 2 }),
      accountId: null,
      result,
      durationMs: 1,
      attemptedAt: 1,
    });
    const other = attemptOf({
      job: job('p.example.com', { delivery_id: deliveryId('other-event', HOOK_URL) }),
      accountId: null,
      result,
      durationMs: 1,
      attemptedAt: 1,
    });
    assert.notEqual(next.attempt_id, base.attempt_id);
    assert.notEqual(other.attempt_id, base.attempt_id);
  });
});

describe('droppedAttempt', () => {
  it('given a last attempt with only an error class, when dropped, then the reason names the class', () => {
    const last = sampleAttempt({ attempt: 3, reason: null, error_class: 'dns', duration_ms: 10_000 });
    const out = droppedAttempt(last, 'exhausted');
    assert.equal(out.reason, 'given up after 3 attempt(s); last: dns');
    assert.equal(
      out.attempted_at,
      last.attempted_at + 10_000,
      'the time of the last failure, not of processing',
    );
    assert.equal(out.duration_ms, 0);
    assert.equal(out.http_status, null);
  });
});
