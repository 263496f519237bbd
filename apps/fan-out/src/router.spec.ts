import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  configKey,
  deliveryId,
  deliveryJobSchema,
  HEADERS,
  SCHEMAS,
  type WebhookEvent,
} from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState, type ConfigState } from '@hookpost/domain';
import type { OutgoingRecord } from '@hookpost/kafka';
import { SEED_DELIVERED } from '../../../libs/domain/src/testing/seed-events';
import { routeEvent, type RouteStats } from './router';

const TOPICS = { deliveries: 'webhook.deliveries', rejected: 'mail.events.rejected' };
const CTX = { topic: 'webhook.events.redacted', partition: 2 };
const NOW_MS = 1_770_146_800_000;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const URLS = ['https://a.example.net/d', 'https://b.example.net/d'];

function state(): ConfigState {
  const s = emptyConfigState();
  applyConfigRecord(s, configKey.account('P'), {
    kind: 'account',
    id: 'P',
    parent_id: null,
    signing_key: 'k',
    redact_pii: false,
    standard_webhooks: false,
  });
  applyConfigRecord(s, configKey.domain('sample.mailgun.com'), {
    kind: 'domain',
    name: 'sample.mailgun.com',
    account_id: 'P',
    redact_pii: false,
  });
  applyConfigRecord(s, configKey.domainWebhooks('sample.mailgun.com'), {
    kind: 'domain_webhooks',
    domain: 'sample.mailgun.com',
    webhooks: { delivered: URLS },
  });
  return s;
}

const EVENT: WebhookEvent = {
  event_id: 'MXcc2gEpS-eN8HfkOnmK2w',
  webhook: 'delivered',
  domain: 'sample.mailgun.com',
  message_id: '20260203192030.53383e583ab41f62@sample.mailgun.com',
  timestamp: 1770146431.6585283,
  received_at: NOW_MS - 10,
  redacted: false,
  event_data: SEED_DELIVERED,
};

function kafkaMessage(value: Buffer | null, headers: IHeaders = {}): KafkaMessage {
  return {
    key: Buffer.from('sample.mailgun.com'),
    value,
    headers,
    offset: '5',
    timestamp: '0',
    attributes: 0,
  };
}

const bytesOf = (event: WebhookEvent) => Buffer.from(JSON.stringify(event));

const header = (record: OutgoingRecord, name: string) => {
  const value = record.message.headers?.[name];
  return value === undefined ? undefined : String(value);
};

const newStats = (): RouteStats => ({ events: 0, withoutWebhook: 0, jobs: 0 });

describe('routeEvent', () => {
  it('given an event with two URLs, when routed, then one job per URL goes to webhook.deliveries keyed by delivery id', () => {
    const stats = newStats();
    const records = routeEvent(
      state(),
      kafkaMessage(bytesOf(EVENT), { traceparent: Buffer.from(TRACEPARENT) }),
      CTX,
      TOPICS,
      stats,
      NOW_MS,
    );

    assert.equal(records.length, 2);
    const urls = records.map((record) => {
      const job = deliveryJobSchema.parse(JSON.parse(String(record.message.value)));
      assert.equal(record.topic, TOPICS.deliveries);
      assert.equal(record.message.key, deliveryId(EVENT.event_id, job.url));
      assert.equal(job.delivery_id, record.message.key);
      assert.equal(header(record, HEADERS.schema), SCHEMAS.deliveryJob);
      assert.equal(header(record, HEADERS.traceparent), TRACEPARENT);
      assert.equal(job.attempt, 1);
      assert.equal(job.trigger, 'initial');
      assert.equal(job.due_at, NOW_MS);
      assert.deepEqual(job.event_data, SEED_DELIVERED);
      return job.url;
    });
    assert.deepEqual(urls.sort(), URLS);
    assert.deepEqual(stats, { events: 1, withoutWebhook: 0, jobs: 2 });
  });

  it('given an event nobody subscribed to, when routed, then nothing goes out and it is counted, not rejected', () => {
    const stats = newStats();
    const records = routeEvent(
      state(),
      kafkaMessage(bytesOf({ ...EVENT, webhook: 'opened' })),
      CTX,
      TOPICS,
      stats,
      NOW_MS,
    );
    assert.deepEqual(records, []);
    assert.deepEqual(stats, { events: 1, withoutWebhook: 1, jobs: 0 });
  });

  it('given the same event twice (a redelivery), when routed, then the jobs have the same keys', () => {
    const keys = () =>
      routeEvent(state(), kafkaMessage(bytesOf(EVENT)), CTX, TOPICS, newStats(), NOW_MS).map(
        (r) => r.message.key,
      );
    assert.deepEqual(keys(), keys());
  });

  describe('given a value that is not a webhook event, when routed, then it goes to the rejected topic and is not counted as an event', () => {
    const invalid: Array<[string, Buffer | null]> = [
      ['not JSON', Buffer.from('nope')],
      ['an event without event_id', Buffer.from(JSON.stringify({ ...EVENT, event_id: '' }))],
      ['a null value', null],
    ];
    for (const [name, value] of invalid) {
      it(`given ${name}`, () => {
        const stats = newStats();
        const records = routeEvent(
          state(),
          kafkaMessage(value, { traceparent: Buffer.from(TRACEPARENT) }),
          CTX,
          TOPICS,
          stats,
          NOW_MS,
        );

        assert.equal(records.length, 1);
        const [record] = records;
        assert.equal(record.topic, TOPICS.rejected);
        assert.equal(record.message.value, value);
        assert.ok((header(record, HEADERS.rejectReason) ?? '').length > 0);
        assert.equal(header(record, HEADERS.sourceTopic), 'webhook.events.redacted');
        assert.equal(header(record, HEADERS.sourcePartition), '2');
        assert.equal(header(record, HEADERS.sourceOffset), '5');
        assert.equal(header(record, HEADERS.traceparent), TRACEPARENT);
        assert.deepEqual(stats, newStats());
      });
    }
  });
});
