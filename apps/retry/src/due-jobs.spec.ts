import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS, SCHEMAS, type DeliveryJob } from '@hookpost/contracts';
import { releaseDueJob } from './due-jobs';

const TOPICS = { deliveries: 'webhook.deliveries', rejected: 'mail.events.rejected' };
const CTX = { topic: 'webhook.retry.10m', partition: 3 };
const DUE_AT = 1_770_146_800_000;
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const job: DeliveryJob = {
  delivery_id: 'dlv_1',
  event_id: 'evt-1',
  webhook: 'opened',
  domain: 'sample.mailgun.com',
  message_id: '20260205213049.8e3a7bf607f78309@sample.mailgun.com',
  url: 'https://hooks.example.com/opened',
  level: 'domain',
  attempt: 2,
  trigger: 'retry',
  created_at: DUE_AT - 600_000,
  due_at: DUE_AT,
  event_data: { event: 'opened', id: 'evt-1' },
};

const message = (value: string): KafkaMessage =>
  ({
    offset: '42',
    key: Buffer.from('dlv_1'),
    value: Buffer.from(value),
    headers: { [HEADERS.traceparent]: TRACEPARENT },
    timestamp: '0',
    attributes: 0,
  }) as KafkaMessage;

describe('releaseDueJob', () => {
  it('given a job due later, then it waits until its due time', () => {
    assert.deepEqual(releaseDueJob(message(JSON.stringify(job)), CTX, TOPICS, DUE_AT - 1), { dueAt: DUE_AT });
  });

  it('given a job due now, then it goes back to webhook.deliveries as it is, keyed by delivery, in its trace', () => {
    const released = releaseDueJob(message(JSON.stringify(job)), CTX, TOPICS, DUE_AT);
    assert.ok('records' in released);
    assert.equal(released.records.length, 1);
    const [{ topic, message: out }] = released.records;
    assert.equal(topic, TOPICS.deliveries);
    assert.equal(out.key, 'dlv_1');
    assert.deepEqual(JSON.parse(String(out.value)), job);
    assert.equal(out.headers?.[HEADERS.schema], SCHEMAS.deliveryJob);
    assert.equal(out.headers?.[HEADERS.traceparent], TRACEPARENT);
  });

  it('given a record that is not a job, then it goes to the rejected topic at once, with where it came from', () => {
    const released = releaseDueJob(message('{"delivery_id": 1}'), CTX, TOPICS, DUE_AT);
    assert.ok('records' in released);
    const [{ topic, message: out }] = released.records;
    assert.equal(topic, TOPICS.rejected);
    assert.equal(String(out.value), '{"delivery_id": 1}');
    assert.equal(String(out.headers?.[HEADERS.sourceTopic]), CTX.topic);
    assert.equal(String(out.headers?.[HEADERS.sourcePartition]), '3');
  });
});
