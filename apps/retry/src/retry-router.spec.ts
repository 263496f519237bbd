import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  attemptId,
  attemptMessage,
  decodeAttemptHead,
  deliveryAttemptSchema,
  deliveryId,
  deliveryJobSchema,
  HEADERS,
  jobNeeded,
  LEGACY_SCHEMAS,
  SCHEMAS,
  type AttemptHead,
  type DeliveryAttempt,
  type DeliveryJob,
} from '@hookpost/contracts';
import { DEFAULT_RETRY_SCHEDULE, droppedAttempt, parseRetrySchedule } from '@hookpost/domain';
import type { OutgoingRecord } from '@hookpost/kafka';
import { SEED_OPENED } from '../../../libs/domain/src/testing/seed-events';
import { routeAttempt, type RetryRouting } from './retry-router';

const NOW_MS = 1_770_146_800_000;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const HOOK_URL = 'https://hooks.example.net/mailgun';
const CTX = { topic: 'eu.webhook.delivery-attempts', partition: 1 };

const ROUTING: RetryRouting = {
  prefix: 'eu.',
  schedule: parseRetrySchedule(DEFAULT_RETRY_SCHEDULE),
  excludedEvents: new Set(['delivered']),
  attemptsTopic: 'eu.webhook.delivery-attempts',
  deadTopic: 'eu.webhook.deliveries.dead',
  rejectedTopic: 'eu.mail.events.rejected',
};

function attemptRecord(overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  const webhook = overrides.webhook ?? 'opened';
  const attempt = overrides.attempt ?? 1;
  const delivery = deliveryId('q7DMpbLFRKW1QuiLC9XV4Q', HOOK_URL);
  const job: DeliveryJob = {
    delivery_id: delivery,
    event_id: 'q7DMpbLFRKW1QuiLC9XV4Q',
    webhook,
    domain: 'sample.mailgun.com',
    message_id: '20260205213049.8e3a7bf607f78309@sample.mailgun.com',
    url: HOOK_URL,
    level: 'domain',
    attempt,
    trigger: attempt === 1 ? 'initial' : 'retry',
    created_at: NOW_MS - 3_600_000,
    due_at: NOW_MS - 1000,
    event_data: SEED_OPENED,
  };
  return {
    attempt_id: attemptId(delivery, attempt),
    delivery_id: delivery,
    event_id: job.event_id,
    webhook,
    domain: job.domain,
    account_id: 'acc_primary',
    message_id: job.message_id,
    url: HOOK_URL,
    attempt,
    trigger: job.trigger,
    outcome: 'failed',
    http_status: 503,
    error_class: 'http_status',
    reason: 'HTTP 503: busy',
    duration_ms: 12.5,
    attempted_at: NOW_MS - 500,
    job,
    ...overrides,
  };
}

function kafkaMessage(value: Buffer | null, headers: IHeaders = {}): KafkaMessage {
  return { key: Buffer.from('dlv_x'), value, headers, offset: '5', timestamp: '0', attributes: 0 };
}

/** How an attempt event is written: by the dispatcher now (v2), or before (v1: every attempt with its job). */
type Form = 'v2' | 'v1';

/** The record as a consumer reads it (headers as bytes). */
function recordOf(attempt: DeliveryAttempt, form: Form): KafkaMessage {
  const trace = { traceparent: TRACEPARENT };
  if (form === 'v1') {
    return kafkaMessage(Buffer.from(JSON.stringify(attempt)), {
      traceparent: Buffer.from(TRACEPARENT),
      [HEADERS.schema]: Buffer.from(LEGACY_SCHEMAS.deliveryAttempt),
    });
  }
  const job = jobNeeded(attempt) && attempt.job ? JSON.stringify(attempt.job) : null;
  const written = attemptMessage(headOf(attempt), job, trace);
  return readBack(written);
}

/** A written message as a consumer gets it: value and headers as bytes. */
function readBack(written: OutgoingRecord['message']): KafkaMessage {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(written.headers ?? {})) {
    headers[name] = Buffer.from(String(value));
  }
  const value = written.value === null ? null : Buffer.from(written.value as Buffer | string);
  return kafkaMessage(value, headers);
}

function route(
  attempt: DeliveryAttempt,
  routing: RetryRouting = ROUTING,
  form: Form = 'v2',
): OutgoingRecord[] {
  return routeAttempt(recordOf(attempt, form), CTX, routing);
}

/** An attempt's own fields, without its job. */
function headOf(attempt: DeliveryAttempt): AttemptHead {
  const head: Partial<DeliveryAttempt> = { ...attempt };
  delete head.job;
  return head as AttemptHead;
}

const header = (record: OutgoingRecord, name: string) => {
  const value = record.message.headers?.[name];
  return value === undefined ? undefined : String(value);
};
const valueOf = (record: OutgoingRecord): unknown => JSON.parse(String(record.message.value));

describe('routeAttempt', () => {
  describe('given a failed attempt n with the schedule not used up, when routed, then the job waits on the delay topic of step n', () => {
    const steps: Array<[number, string, number]> = [
      [1, '10m', 600_000],
      [2, '10m', 600_000],
      [3, '15m', 900_000],
      [7, '4h', 14_400_000],
    ];
    for (const [attempt, label, delayMs] of steps) {
      it(`given attempt ${attempt}, then attempt ${attempt + 1} goes to eu.webhook.retry.${label}, due in ${label}`, () => {
        const last = attemptRecord({ attempt });
        const records = route(last);

        assert.equal(records.length, 1);
        const [record] = records;
        assert.equal(record.topic, `eu.webhook.retry.${label}`);
        assert.equal(record.message.key, last.delivery_id);
        assert.equal(header(record, HEADERS.schema), SCHEMAS.deliveryJob);
        assert.equal(header(record, HEADERS.traceparent), TRACEPARENT);
        const job = deliveryJobSchema.parse(valueOf(record));
        assert.deepEqual(job, {
          ...last.job,
          attempt: attempt + 1,
          trigger: 'retry',
          due_at: last.attempted_at + Math.ceil(last.duration_ms) + delayMs, // after the failure
        });
      });
    }
  });

  it('given a failed connection (no HTTP status), when routed, then it is retried too', () => {
    const records = route(attemptRecord({ http_status: null, error_class: 'timeout', reason: 'timed out' }));
    assert.equal(records.length, 1);
    assert.equal(records[0].topic, 'eu.webhook.retry.10m');
  });

  describe('given an attempt that ended the delivery, when routed, then nothing goes out', () => {
    const ended: Array<[string, Partial<DeliveryAttempt>]> = [
      ['delivered', { outcome: 'delivered', http_status: 200, error_class: null, reason: null }],
      ['rejected (406)', { outcome: 'rejected', http_status: 406, reason: 'HTTP 406' }],
      [
        'dropped (the record of a give-up)',
        { outcome: 'dropped', attempt: 8, error_class: 'schedule_exhausted' },
      ],
      [
        'interrupted (the job itself is redelivered)',
        { outcome: 'failed', http_status: null, error_class: 'interrupted', reason: 'outcome unknown' },
      ],
    ];
    for (const [name, overrides] of ended) {
      for (const form of ['v2', 'v1'] as const) {
        it(`given ${name}, written as ${form}`, () => {
          assert.deepEqual(route(attemptRecord(overrides), ROUTING, form), []);
        });
      }
    }
  });

  it('given the last failed attempt (8), when routed, then the job goes to the dead topic and a dropped attempt is recorded', () => {
    const last = attemptRecord({ attempt: 8, reason: 'HTTP 500: boom' });
    const records = route(last);

    assert.deepEqual(
      records.map((r) => r.topic),
      ['eu.webhook.deliveries.dead', 'eu.webhook.delivery-attempts'],
    );
    const [dead, dropped] = records;
    assert.equal(dead.message.key, last.delivery_id);
    assert.equal(header(dead, HEADERS.schema), SCHEMAS.deliveryJob);
    assert.equal(header(dead, HEADERS.traceparent), TRACEPARENT);
    assert.deepEqual(deliveryJobSchema.parse(valueOf(dead)), last.job);

    assert.equal(dropped.message.key, last.delivery_id);
    assert.equal(header(dropped, HEADERS.schema), SCHEMAS.deliveryAttempt);
    assert.equal(header(dropped, HEADERS.traceparent), TRACEPARENT);
    const record = deliveryAttemptSchema.parse(valueOf(dropped));
    assert.deepEqual(record, droppedAttempt(last, 'exhausted'));
    assert.equal(record.outcome, 'dropped');
    assert.equal(record.attempt, 9);
    assert.equal(record.attempt_id, attemptId(last.delivery_id, 9));
    assert.equal(record.error_class, 'schedule_exhausted');
    assert.equal(record.reason, 'given up after 8 attempt(s); last: HTTP 500: boom');
  });

  it('given a failed "delivered" webhook (excluded from retries by default), when routed, then it is given up at once', () => {
    const last = attemptRecord({ webhook: 'delivered', attempt: 1 });
    const records = route(last);

    assert.deepEqual(
      records.map((r) => r.topic),
      ['eu.webhook.deliveries.dead', 'eu.webhook.delivery-attempts'],
    );
    const dropped = deliveryAttemptSchema.parse(valueOf(records[1]));
    assert.equal(dropped.outcome, 'dropped');
    assert.equal(dropped.attempt, 2);
    assert.equal(dropped.webhook, 'delivered');
    assert.equal(dropped.error_class, 'retry_excluded');
    assert.equal(
      dropped.reason,
      'not retried: delivered events are excluded from retries; last: HTTP 503: busy',
    );
  });

  it('given the dropped attempt it produced, when that is routed in turn, then nothing more goes out (no loop)', () => {
    const [, dropped] = route(attemptRecord({ attempt: 8 }));
    const again = routeAttempt(kafkaMessage(Buffer.from(String(dropped.message.value))), CTX, ROUTING);
    assert.deepEqual(again, []);
    assert.deepEqual(routeAttempt(readBack(dropped.message), CTX, ROUTING), [], 'read with its headers');
  });

  it('given a one-step schedule without exclusions, when a delivered webhook fails once, then it is retried on the 2s topic', () => {
    const routing = {
      ...ROUTING,
      prefix: '',
      schedule: parseRetrySchedule('2s'),
      excludedEvents: new Set<string>(),
    };
    const records = route(attemptRecord({ webhook: 'delivered' }), routing);
    assert.equal(records.length, 1);
    assert.equal(records[0].topic, 'webhook.retry.2s');
  });

  describe('given a value that is not an attempt, when routed, then it goes to the rejected topic with its bytes and source', () => {
    const invalid: Array<[string, Buffer | null]> = [
      ['not JSON', Buffer.from('???')],
      [
        'an attempt with an unknown outcome',
        Buffer.from(JSON.stringify({ ...attemptRecord(), outcome: 'maybe' })),
      ],
      ['an attempt without its job', Buffer.from(JSON.stringify({ ...attemptRecord(), job: undefined }))],
      ['a null value', null],
    ];
    for (const [name, value] of invalid) {
      it(`given ${name}`, () => {
        const records = routeAttempt(
          kafkaMessage(value, { traceparent: Buffer.from(TRACEPARENT) }),
          CTX,
          ROUTING,
        );

        assert.equal(records.length, 1);
        const [record] = records;
        assert.equal(record.topic, ROUTING.rejectedTopic);
        assert.equal(record.message.value, value);
        assert.ok((header(record, HEADERS.rejectReason) ?? '').length > 0);
        assert.equal(header(record, HEADERS.sourceTopic), CTX.topic);
        assert.equal(header(record, HEADERS.sourcePartition), '1');
        assert.equal(header(record, HEADERS.sourceOffset), '5');
        assert.equal(header(record, HEADERS.traceparent), TRACEPARENT);
      });
    }
  });
});

describe('routeAttempt: what it reads of a record', () => {
  const notJson = Buffer.from('{"this is not": an attempt');

  for (const outcome of ['delivered', 'rejected', 'dropped'] as const) {
    it(`given an outcome header ${outcome} on a value that is not even JSON, when routed, then nothing goes out: it is not read`, () => {
      const message = kafkaMessage(notJson, {
        [HEADERS.schema]: Buffer.from(SCHEMAS.deliveryAttempt),
        [HEADERS.outcome]: Buffer.from(outcome),
      });
      assert.deepEqual(routeAttempt(message, CTX, ROUTING), []);
    });
  }

  it('given an outcome header failed on a value that is not JSON, when routed, then it goes to the rejected topic', () => {
    const message = kafkaMessage(notJson, { [HEADERS.outcome]: Buffer.from('failed') });
    const records = routeAttempt(message, CTX, ROUTING);
    assert.deepEqual(
      records.map((r) => r.topic),
      [ROUTING.rejectedTopic],
    );
    assert.match(header(records[0], HEADERS.rejectReason) ?? '', /^not JSON/);
  });

  it('given an outcome header failed on a record that says delivered, when routed, then it is rejected, naming both', () => {
    const written = readBack(attemptMessage({ ...headOf(attemptRecord()), outcome: 'delivered' }, null, {}));
    written.headers![HEADERS.outcome] = Buffer.from('failed');
    const records = routeAttempt(written, CTX, ROUTING);
    assert.equal(records.length, 1);
    assert.equal(records[0].topic, ROUTING.rejectedTopic);
    assert.equal(
      header(records[0], HEADERS.rejectReason),
      'the outcome header says failed, the record delivered',
    );
  });

  it('given a failed v2 record without its job (it needs one), when routed, then it is rejected with the reason', () => {
    const written = readBack(attemptMessage(headOf(attemptRecord()), null, {}));
    const records = routeAttempt(written, CTX, ROUTING);
    assert.equal(records.length, 1);
    assert.equal(records[0].topic, ROUTING.rejectedTopic);
    assert.equal(header(records[0], HEADERS.rejectReason), 'a failed attempt without its job');
  });

  it('given an interrupted v2 record (failed, no job), when routed, then nothing goes out: its job comes again from its topic', () => {
    const interrupted = attemptRecord({ http_status: null, error_class: 'interrupted', reason: 'unknown' });
    assert.equal(jobNeeded(interrupted), false);
    assert.deepEqual(route(interrupted), []);
  });

  it('given a failed v1 record (every attempt with its job, no outcome header), when routed, then it is retried as before', () => {
    const last = attemptRecord({ attempt: 2 });
    const records = route(last, ROUTING, 'v1');
    assert.deepEqual(
      records.map((r) => r.topic),
      ['eu.webhook.retry.10m'],
    );
    assert.deepEqual(deliveryJobSchema.parse(valueOf(records[0])), {
      ...last.job,
      attempt: 3,
      trigger: 'retry',
      due_at: last.attempted_at + Math.ceil(last.duration_ms) + 600_000,
    });
  });

  it('given a last failed v1 record, when routed, then the dead job and a v2 dropped attempt go out', () => {
    const last = attemptRecord({ attempt: 8 });
    const records = route(last, ROUTING, 'v1');
    assert.deepEqual(
      records.map((r) => r.topic),
      ['eu.webhook.deliveries.dead', 'eu.webhook.delivery-attempts'],
    );
    assert.equal(header(records[1], HEADERS.outcome), 'dropped');
  });

  it('given a give-up, then the dropped attempt is a v2 record: outcome header, its job after head-bytes, the same head', () => {
    const last = attemptRecord({ attempt: 8 });
    const [, dropped] = route(last);
    const expected = droppedAttempt(last, 'exhausted');

    assert.equal(header(dropped, HEADERS.schema), SCHEMAS.deliveryAttempt);
    assert.equal(header(dropped, HEADERS.outcome), 'dropped');
    const headBytes = Number(header(dropped, HEADERS.headBytes));
    const value = Buffer.from(dropped.message.value as Buffer);
    assert.ok(headBytes > 0 && headBytes < value.length);
    assert.equal(value.toString('utf8', headBytes, headBytes + 7), ',"job":');
    const head = decodeAttemptHead(readBack(dropped.message));
    assert.ok(head.ok);
    assert.deepEqual(head.value, headOf(expected));
    assert.deepEqual(deliveryJobSchema.parse(JSON.parse(value.toString('utf8')).job), last.job);
  });
});
