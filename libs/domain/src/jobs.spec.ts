import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { configKey, deliveryId, deliveryJobSchema, type WebhookEvent } from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState, type ConfigState } from './config-state';
import { deliveryHeadsFor, planResend, retryJob, type LatestFailure } from './jobs';
import { sampleJob } from './testing/delivery-fixtures';
import { expectEqual } from './testing/expect-equal';
import { SEED_DELIVERED } from './testing/seed-events';

const NOW_MS = 1_770_146_800_000;

function state(): ConfigState {
  const s = emptyConfigState();
  applyConfigRecord(s, configKey.account('acc_primary'), {
    kind: 'account',
    id: 'acc_primary',
    parent_id: null,
    signing_key: 'key-primary',
    redact_pii: false,
    standard_webhooks: false,
  });
  applyConfigRecord(s, configKey.domain('sample.mailgun.com'), {
    kind: 'domain',
    name: 'sample.mailgun.com',
    account_id: 'acc_primary',
    redact_pii: false,
  });
  applyConfigRecord(s, configKey.domainWebhooks('sample.mailgun.com'), {
    kind: 'domain_webhooks',
    domain: 'sample.mailgun.com',
    webhooks: { delivered: ['https://a.example.net/d', 'https://b.example.net/d'] },
  });
  applyConfigRecord(s, configKey.accountWebhooks('acc_primary'), {
    kind: 'account_webhooks',
    account_id: 'acc_primary',
    webhooks: [{ id: 'wh_1', url: 'https://c.example.net/all', event_types: ['delivered'] }],
  });
  return s;
}

const EVENT: WebhookEvent = {
  event_id: 'MXcc2gEpS-eN8HfkOnmK2w',
  webhook: 'delivered',
  domain: 'sample.mailgun.com',
  message_id: '20260203192030.53383e583ab41f62@sample.mailgun.com',
  timestamp: 1770146431.6585283,
  received_at: NOW_MS - 100,
  redacted: false,
  event_data: SEED_DELIVERED,
};

describe('deliveryHeadsFor', () => {
  it('given an event with three subscribed URLs, when fanned out, then there is one valid initial job per URL', () => {
    const jobs = deliveryHeadsFor(state(), EVENT, NOW_MS);

    assert.deepEqual(jobs.map((j) => [j.url, j.level]).sort(), [
      ['https://a.example.net/d', 'domain'],
      ['https://b.example.net/d', 'domain'],
      ['https://c.example.net/all', 'account'],
    ]);
    for (const job of jobs) {
      assert.deepEqual(deliveryJobSchema.omit({ event_data: true }).parse(job), job);
      assert.deepEqual(job, {
        delivery_id: deliveryId(EVENT.event_id, job.url),
        event_id: EVENT.event_id,
        webhook: 'delivered',
        domain: 'sample.mailgun.com',
        message_id: EVENT.message_id,
        url: job.url,
        level: job.level,
        attempt: 1,
        trigger: 'initial',
        created_at: NOW_MS,
        due_at: NOW_MS,
        webhook_account_id: 'acc_primary',
      });
    }
    assert.equal(new Set(jobs.map((j) => j.delivery_id)).size, 3);
  });

  it('given the same event replayed later, when fanned out again, then the delivery ids are the same', () => {
    const first = deliveryHeadsFor(state(), EVENT, NOW_MS).map((j) => j.delivery_id);
    const replay = deliveryHeadsFor(state(), EVENT, NOW_MS + 60_000).map((j) => j.delivery_id);
    assert.deepEqual(replay, first);
  });

  it('given another event to the same URLs, when fanned out, then its delivery ids differ', () => {
    const first = deliveryHeadsFor(state(), EVENT, NOW_MS).map((j) => j.delivery_id);
    const other = deliveryHeadsFor(state(), { ...EVENT, event_id: 'other-event-id' }, NOW_MS).map(
      (j) => j.delivery_id,
    );
    for (const id of other) assert.ok(!first.includes(id));
  });

  it('given an event type nobody subscribes to, when fanned out, then there are no jobs', () => {
    assert.deepEqual(deliveryHeadsFor(state(), { ...EVENT, webhook: 'opened' }, NOW_MS), []);
  });

  it('given an event of an unknown domain, when fanned out, then there are no jobs', () => {
    assert.deepEqual(deliveryHeadsFor(state(), { ...EVENT, domain: 'unknown.example.com' }, NOW_MS), []);
  });
});

const NOW = 1_763_200_000_000;

/** The latest row of a delivery as the log holds it: the job on final rows only. */
function latest(attempt: number, final: boolean, url = 'https://hooks.example.com/a') {
  const job = sampleJob({ url, attempt: final ? attempt - 1 : attempt, trigger: 'retry' });
  return {
    delivery_id: job.delivery_id,
    url,
    attempt,
    final,
    job: final ? job : null,
  } satisfies LatestFailure;
}

describe('planResend', () => {
  it('given a dropped delivery (given up at attempt 9), then it goes again as attempt 10, manual, due now', () => {
    const dropped = latest(9, true);
    expectEqual(planResend([dropped], new Map(), NOW), {
      jobs: [{ ...dropped.job!, attempt: 10, trigger: 'manual', due_at: NOW }],
      busy: [],
    });
  });

  it('given a rejected delivery, then the job keeps the event data, URL, level and creation time', () => {
    const rejected = latest(1, true);
    const [job] = planResend([rejected], new Map(), NOW).jobs;
    expectEqual(
      [job.event_data, job.url, job.level, job.created_at, job.delivery_id, job.attempt],
      [rejected.job!.event_data, rejected.url, 'domain', rejected.job!.created_at, rejected.delivery_id, 2],
    );
  });

  it('given a delivery whose last failure is not final, then it is left to its retry', () => {
    const retrying = latest(2, false);
    expectEqual(planResend([retrying], new Map(), NOW), { jobs: [], busy: [retrying.delivery_id] });
  });

  it('given an earlier resend not yet accounted for (issued 10, last failure 9), then it is left alone', () => {
    const dropped = latest(9, true);
    expectEqual(planResend([dropped], new Map([[dropped.delivery_id, 10]]), NOW), {
      jobs: [],
      busy: [dropped.delivery_id],
    });
  });

  it('given an earlier resend that failed for good (issued 10, rejected at 10), then it goes again as 11', () => {
    const rejected = latest(10, true);
    const plan = planResend([rejected], new Map([[rejected.delivery_id, 10]]), NOW);
    expectEqual(
      plan.jobs.map((j) => j.attempt),
      [11],
    );
  });

  it('given a final row without its job (never written so; the table checks it), then nothing is sent', () => {
    const broken = { ...latest(2, true), job: null };
    expectEqual(planResend([broken], new Map(), NOW), { jobs: [], busy: [broken.delivery_id] });
  });

  it('given several deliveries of the event, then each is judged on its own', () => {
    const a = latest(3, true, 'https://a.example/');
    const b = latest(2, false, 'https://b.example/');
    const c = latest(1, true, 'https://c.example/');
    const plan = planResend([a, b, c], new Map(), NOW);
    expectEqual(
      plan.jobs.map((j) => [j.url, j.attempt]),
      [
        ['https://a.example/', 4],
        ['https://c.example/', 2],
      ],
    );
    expectEqual(plan.busy, [b.delivery_id]);
  });
});

describe('retryJob', () => {
  it('given a failed job and the next step, then the same delivery goes again as the next attempt, retry, due then', () => {
    const failed = sampleJob({ attempt: 2, trigger: 'retry' });
    const job = retryJob(failed, { nextAttempt: 3, dueAt: NOW + 600_000 });
    expectEqual(job, { ...failed, attempt: 3, trigger: 'retry', due_at: NOW + 600_000 });
    expectEqual(retryJob(sampleJob(), { nextAttempt: 2, dueAt: NOW }).trigger, 'retry');
  });
});
