import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import {
  attemptId,
  deliveryAttemptSchema,
  deliveryId,
  type DeliveryAttempt,
  type DeliveryJob,
  type DeliveryJobHead,
} from '@hookpost/contracts';
import { attemptOf, droppedAttempt, INTERRUPTED_REASON, interruptedAttemptOf, isFinal } from './attempts';
import type { Classification } from './classify';
import { parseJournal, writtenLine, writtenPayload, type WrittenRequest } from './dispatch-journal';
import { expectEqual } from './testing/expect-equal';
import { SEED_DELIVERED, SEED_OPENED } from './testing/seed-events';

const HOOK_URL = 'https://hooks.example.net/mailgun';
const NOW_MS = 1_770_146_798_999;

function job(domain: string, overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    delivery_id: deliveryId('MXcc2gEpS-eN8HfkOnmK2w', HOOK_URL),
    event_id: 'MXcc2gEpS-eN8HfkOnmK2w',
    webhook: 'delivered',
    domain,
    message_id: '20260203192030.53383e583ab41f62@sample.mailgun.com',
    url: HOOK_URL,
    level: 'domain',
    attempt: 1,
    trigger: 'initial',
    created_at: NOW_MS - 5000,
    due_at: NOW_MS - 5000,
    event_data: SEED_DELIVERED,
    ...overrides,
  };
}

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

describe('interruptedAttemptOf', () => {
  const AT = NOW_MS;
  const journalJob = (eventId: string, overrides: Partial<DeliveryJob> = {}): DeliveryJob => ({
    ...job('p.example.com', overrides),
    delivery_id: deliveryId(eventId, HOOK_URL),
    event_id: eventId,
    message_id: 'm@example.com',
    ...overrides,
  });
  const REQUEST: WrittenRequest = {
    attemptedAt: AT,
    accountId: 'acc_1',
    traceHeaders: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  };
  const headOf = (j: DeliveryJob): DeliveryJobHead => {
    const { event_data, ...head } = j;
    void event_data;
    return head;
  };
  const written = (seq: number, j: DeliveryJob, request = REQUEST) =>
    writtenLine(seq, writtenPayload(request, headOf(j)));

  it('given an open entry, then its attempt event is failed, interrupted, under its own id, and valid', () => {
    const j = journalJob('ev-a', { attempt: 2, trigger: 'retry' });
    const [entry] = parseJournal(written(9, j)).open;
    const attempt = interruptedAttemptOf(entry);
    assert.deepEqual(deliveryAttemptSchema.parse(attempt), attempt);
    assert.equal(attempt.outcome, 'failed');
    assert.equal(attempt.error_class, 'interrupted');
    assert.equal(attempt.http_status, null);
    assert.equal(attempt.reason, INTERRUPTED_REASON);
    assert.equal(attempt.attempt, 2);
    assert.equal(attempt.attempted_at, AT);
    assert.equal(attempt.account_id, 'acc_1');
    assert.equal('job' in attempt, false, 'never retried: its event carries no job');
    assert.notEqual(
      attempt.attempt_id,
      attemptId(j.delivery_id, 2),
      'never the id of the attempt made again',
    );
    assert.equal(interruptedAttemptOf(entry).attempt_id, attempt.attempt_id, 'the same entry, the same id');
    const later = parseJournal(written(9, j, { ...REQUEST, attemptedAt: AT + 1 })).open[0];
    assert.notEqual(interruptedAttemptOf(later).attempt_id, attempt.attempt_id, 'another POST, another id');
  });
});

describe('droppedAttempt', () => {
  function attemptRecord(overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
    const attempt = overrides.attempt ?? 1;
    const j = job('sample.mailgun.com', {
      webhook: 'opened',
      attempt,
      trigger: attempt === 1 ? 'initial' : 'retry',
      event_data: SEED_OPENED,
    });
    return {
      attempt_id: attemptId(j.delivery_id, attempt),
      delivery_id: j.delivery_id,
      event_id: j.event_id,
      webhook: j.webhook,
      domain: j.domain,
      account_id: 'acc_primary',
      message_id: j.message_id,
      url: HOOK_URL,
      attempt,
      trigger: j.trigger,
      outcome: 'failed',
      http_status: 503,
      error_class: 'http_status',
      reason: 'HTTP 503: busy',
      duration_ms: 12.5,
      attempted_at: NOW_MS - 500,
      job: j,
      ...overrides,
    };
  }

  it('given a last attempt with only an error class, when dropped, then the reason names the class', () => {
    const last = attemptRecord({ attempt: 3, reason: null, error_class: 'dns', duration_ms: 10_000 });
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
