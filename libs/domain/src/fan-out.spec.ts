import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { configKey, deliveryId, deliveryJobSchema, type WebhookEvent } from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState, type ConfigState } from './config-state';
import { deliveryHeadsFor } from './fan-out';
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
