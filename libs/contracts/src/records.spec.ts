import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { IHeaders, Message } from 'kafkajs';
import { expectEqual } from '../../domain/src/testing/expect-equal';
import { HEADERS, LEGACY_SCHEMAS, SCHEMAS } from './headers';
import {
  attemptMessage,
  attemptOutcomeOf,
  decodeAttempt,
  decodeAttemptHead,
  decodeWebhookEvent,
  eventMessage,
  headerText,
  jobJson,
  readEventRecord,
  spliceJson,
  withEventData,
  type EventEnvelope,
  type RecordIn,
} from './records';
import type { AttemptHead, DeliveryAttempt, DeliveryJobHead, WebhookEvent } from './schemas';

const TRACE = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

const ENVELOPE: EventEnvelope = {
  event_id: 'q7DMpbLFRKW1QuiLC9XV4Q',
  webhook: 'opened',
  domain: 'sample.mailgun.com',
  message_id: '20260205213049.8e3a7bf607f78309@sample.mailgun.com',
  timestamp: 1_770_146_800.123,
  received_at: 1_770_146_800_456,
  redacted: false,
};
const DATA = { event: 'opened', recipient: 'alice@example.com', 'user-variables': { note: 'ü ✓ 😀' } };

/** A written message as a consumer reads it: value and header values as bytes. */
function asRead(message: Message): RecordIn {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    headers[name] = Buffer.from(String(value));
  }
  const value = message.value === null || message.value === undefined ? null : message.value;
  return { value: value === null ? null : Buffer.from(value as Buffer | string), headers };
}

const eventRecord = () => asRead(eventMessage(ENVELOPE, JSON.stringify(DATA), TRACE));

/** The event record with one envelope header replaced (undefined: removed). */
function withHeader(name: string, value: string | undefined): RecordIn {
  const record = eventRecord();
  const headers = { ...record.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = Buffer.from(value);
  return { ...record, headers };
}

function refusal(record: RecordIn): string {
  const read = readEventRecord(record);
  assert.ok(!read.ok, 'the record was read');
  return read.reason;
}

describe('headerText', () => {
  it('given a header as bytes, as text, repeated, or absent, then its (first) text or undefined', () => {
    const headers: IHeaders = { a: Buffer.from('ü'), b: 'text', c: [Buffer.from('one'), 'two'] };
    expectEqual(
      ['a', 'b', 'c', 'd'].map((name) => headerText(headers, name)),
      ['ü', 'text', 'one', undefined],
    );
    assert.equal(headerText(undefined, 'a'), undefined);
  });
});

describe('eventMessage and readEventRecord', () => {
  it('given an envelope and event data, when written and read back, then the same envelope and the data bytes unparsed', () => {
    const written = eventMessage(ENVELOPE, Buffer.from(JSON.stringify(DATA)), TRACE);
    assert.equal(written.key, ENVELOPE.event_id);
    assert.equal(headerText(written.headers, HEADERS.traceparent), TRACE.traceparent);
    assert.equal(headerText(written.headers, HEADERS.schema), SCHEMAS.webhookEvent);

    const read = readEventRecord(asRead(written));
    assert.ok(read.ok);
    expectEqual(read.value.envelope, ENVELOPE);
    assert.equal(read.value.data.toString('utf8'), JSON.stringify(DATA));
  });

  it('given a redacted event, then the flag comes back true', () => {
    const read = readEventRecord(asRead(eventMessage({ ...ENVELOPE, redacted: true }, '{}', {})));
    assert.ok(read.ok);
    assert.equal(read.value.envelope.redacted, true);
  });

  it('given a record, when decoded whole (decodeWebhookEvent), then the envelope with the data parsed', () => {
    const decoded = decodeWebhookEvent(eventRecord());
    expectEqual(decoded, { ok: true, value: { ...ENVELOPE, event_data: DATA } });
  });

  it('given event data that is not an object, when decoded whole, then it is refused', () => {
    for (const [data, reason] of [
      ['[1]', 'event data is not an object'],
      ['{"a":', /^event data is not JSON/],
    ] as const) {
      const decoded = decodeWebhookEvent(asRead(eventMessage(ENVELOPE, data, {})));
      assert.ok(!decoded.ok);
      assert.match(decoded.reason, typeof reason === 'string' ? new RegExp(`^${reason}$`) : reason);
    }
  });

  const whole: WebhookEvent = { ...ENVELOPE, event_data: DATA };
  const legacy: Array<[string, IHeaders]> = [
    ['a webhook-event.v1 record', { [HEADERS.schema]: Buffer.from(LEGACY_SCHEMAS.webhookEvent), ...TRACE }],
    ['a record without a schema header', {}],
  ];
  for (const [name, headers] of legacy) {
    it(`given ${name} (the whole event as JSON), then it is parsed and checked: the envelope and the data re-serialised`, () => {
      const read = readEventRecord({ value: Buffer.from(JSON.stringify(whole)), headers });
      assert.ok(read.ok);
      expectEqual(read.value.envelope, ENVELOPE);
      expectEqual(JSON.parse(read.value.data.toString('utf8')), DATA);
    });

    it(`given ${name} that is not a valid event, then it is refused with zod's reason`, () => {
      const bad = { ...whole, webhook: 'bounced' };
      assert.match(refusal({ value: Buffer.from(JSON.stringify(bad)), headers }), /^webhook: /);
      assert.match(refusal({ value: Buffer.from('nope'), headers }), /^not JSON/);
    });
  }

  describe('given a v2 record that no stage can use, then it is refused with the reason', () => {
    const cases: Array<[string, RecordIn, string]> = [
      [
        'an unknown schema',
        withHeader(HEADERS.schema, 'hookpost.webhook-event.v9'),
        'unknown schema hookpost.webhook-event.v9',
      ],
      ['an empty value', { ...eventRecord(), value: Buffer.alloc(0) }, 'empty message value'],
      ['a null value', { ...eventRecord(), value: null }, 'empty message value'],
      ['no event id', withHeader(HEADERS.eventId, undefined), 'envelope header missing'],
      ['an empty domain', withHeader(HEADERS.domain, ''), 'envelope header missing'],
      ['no message id', withHeader(HEADERS.messageId, undefined), 'envelope header missing'],
      ['no webhook', withHeader(HEADERS.webhook, undefined), `${HEADERS.webhook}: not an event type`],
      [
        'a webhook that is no event type',
        withHeader(HEADERS.webhook, 'bounced'),
        `${HEADERS.webhook}: not an event type`,
      ],
      [
        'a timestamp that is no number',
        withHeader(HEADERS.eventTimestamp, 'yesterday'),
        `${HEADERS.eventTimestamp} or ${HEADERS.receivedAt}: not a number`,
      ],
      [
        'no timestamp',
        withHeader(HEADERS.eventTimestamp, undefined),
        `${HEADERS.eventTimestamp} or ${HEADERS.receivedAt}: not a number`,
      ],
      [
        'a received-at time that is not whole',
        withHeader(HEADERS.receivedAt, '1770146800456.5'),
        `${HEADERS.eventTimestamp} or ${HEADERS.receivedAt}: not a number`,
      ],
      [
        'a redacted flag that is neither true nor false',
        withHeader(HEADERS.redacted, 'yes'),
        `${HEADERS.redacted}: neither true nor false`,
      ],
      [
        'no redacted flag',
        withHeader(HEADERS.redacted, undefined),
        `${HEADERS.redacted}: neither true nor false`,
      ],
    ];
    for (const [name, record, reason] of cases) {
      it(`given ${name}`, () => {
        assert.equal(refusal(record), reason);
      });
    }
  });
});

describe('withEventData', () => {
  it('given a record read and new event data, then the same envelope headers and trace context, keyed by the event id', () => {
    const read = eventRecord();
    read.headers![HEADERS.tracestate] = Buffer.from('vendor=1');
    const redacted = { ...ENVELOPE, redacted: true };
    const written = withEventData(read, redacted, '{"recipient":"[redacted]"}');

    assert.equal(written.key, ENVELOPE.event_id);
    assert.equal(headerText(written.headers, HEADERS.traceparent), TRACE.traceparent);
    assert.equal(headerText(written.headers, HEADERS.tracestate), 'vendor=1');
    const again = readEventRecord(asRead(written));
    assert.ok(again.ok);
    expectEqual(again.value.envelope, redacted);
    assert.equal(again.value.data.toString('utf8'), '{"recipient":"[redacted]"}');
  });
});

describe('spliceJson', () => {
  const cases: Array<[string, object, string | Buffer]> = [
    ['a head and raw text', { a: 1, b: 'x' }, '{"c":[1,2]}'],
    ['an empty head', {}, '{"c":true}'],
    ['text beyond ASCII in the head and the raw bytes', { 'ü😀': 'é ✓' }, Buffer.from('{"ü":"😀 ✓"}')],
  ];
  for (const [name, head, raw] of cases) {
    it(`given ${name}, then one JSON object with the field last, and headBytes the byte length of the head without its brace`, () => {
      const { value, headBytes } = spliceJson(head, 'field', raw);
      expectEqual(JSON.parse(value.toString('utf8')), { ...head, field: JSON.parse(raw.toString()) });
      expectEqual(JSON.parse(`${value.toString('utf8', 0, headBytes)}}`), head);
      // After the head: the comma before the field, or (an empty head) the field's name at once.
      assert.equal(value.toString('utf8', headBytes, headBytes + 1), Object.keys(head).length ? ',' : '"');
    });
  }
});

describe('jobJson', () => {
  it('given a job head and event data as bytes or text, then the job with the data as it came', () => {
    const head: DeliveryJobHead = {
      delivery_id: 'dlv_1',
      event_id: ENVELOPE.event_id,
      webhook: 'opened',
      domain: ENVELOPE.domain,
      message_id: ENVELOPE.message_id,
      url: 'https://hooks.example.net/h',
      level: 'domain',
      attempt: 1,
      trigger: 'initial',
      created_at: 1,
      due_at: 2,
    };
    for (const data of [JSON.stringify(DATA), Buffer.from(JSON.stringify(DATA))]) {
      expectEqual(JSON.parse(jobJson(head, data).toString('utf8')), { ...head, event_data: DATA });
    }
  });
});

describe('attemptMessage and its readers', () => {
  const job = {
    delivery_id: 'dlv_1',
    event_id: ENVELOPE.event_id,
    webhook: 'opened' as const,
    domain: ENVELOPE.domain,
    message_id: ENVELOPE.message_id,
    url: 'https://hooks.example.net/h',
    level: 'domain' as const,
    attempt: 1,
    trigger: 'initial' as const,
    created_at: 1_770_146_800_000,
    due_at: 1_770_146_800_000,
    event_data: DATA,
  };
  const head: AttemptHead = {
    attempt_id: 'atm_1',
    delivery_id: 'dlv_1',
    event_id: ENVELOPE.event_id,
    webhook: 'opened',
    domain: ENVELOPE.domain,
    account_id: 'acc_1',
    webhook_account_id: 'acc_1',
    message_id: ENVELOPE.message_id,
    url: job.url,
    attempt: 1,
    trigger: 'initial',
    outcome: 'failed',
    http_status: 503,
    error_class: 'http_status',
    reason: 'HTTP 503: ü ✓ 😀 busy',
    duration_ms: 12.5,
    attempted_at: 1_770_146_800_100,
  };

  it('given a failure with its job, then the outcome and head-bytes headers, keyed by delivery id; the whole record decodes', () => {
    const written = attemptMessage(head, JSON.stringify(job), TRACE);
    assert.equal(written.key, 'dlv_1');
    assert.equal(headerText(written.headers, HEADERS.schema), SCHEMAS.deliveryAttempt);
    assert.equal(headerText(written.headers, HEADERS.outcome), 'failed');
    assert.equal(headerText(written.headers, HEADERS.traceparent), TRACE.traceparent);
    expectEqual(decodeAttempt(asRead(written)), { ok: true, value: { ...head, job } });
  });

  it('given a failure with its job, then headBytes is where the job starts: the head read alone equals the whole minus the job', () => {
    const record = asRead(attemptMessage(head, Buffer.from(JSON.stringify(job)), {}));
    const headBytes = Number(headerText(record.headers, HEADERS.headBytes));
    assert.equal(record.value!.toString('utf8', headBytes, headBytes + 7), ',"job":');
    const whole = decodeAttempt(record);
    assert.ok(whole.ok);
    const withoutJob: Partial<DeliveryAttempt> = { ...whole.value };
    delete withoutJob.job;
    expectEqual(decodeAttemptHead(record), { ok: true, value: withoutJob });
    expectEqual(decodeAttemptHead(record), { ok: true, value: head });
  });

  it('given a head read alone, then the job bytes are not parsed: a job that is not JSON does not matter', () => {
    const record = asRead(attemptMessage(head, JSON.stringify(job), {}));
    const headBytes = Number(headerText(record.headers, HEADERS.headBytes));
    const garbled = {
      ...record,
      value: Buffer.concat([record.value!.subarray(0, headBytes), Buffer.from(',"job":{{')]),
    };
    expectEqual(decodeAttemptHead(garbled), { ok: true, value: head });
    assert.equal(decodeAttempt(garbled).ok, false);
  });

  it('given a delivered attempt, then no job and no head-bytes header: the head is the whole record', () => {
    const delivered: AttemptHead = {
      ...head,
      outcome: 'delivered',
      http_status: 200,
      error_class: null,
      reason: null,
    };
    const record = asRead(attemptMessage(delivered, null, TRACE));
    assert.equal(headerText(record.headers, HEADERS.outcome), 'delivered');
    assert.equal(headerText(record.headers, HEADERS.headBytes), undefined);
    expectEqual(JSON.parse(record.value!.toString('utf8')), delivered);
    expectEqual(decodeAttemptHead(record), { ok: true, value: delivered });
    expectEqual(decodeAttempt(record), { ok: true, value: delivered });
  });

  it('given a record without a usable head-bytes header (v1, or a bad value), then the head is read from the whole record', () => {
    const whole = { ...head, job };
    for (const headBytes of [undefined, 'x', '0', '-3', '99999', '12.5']) {
      const headers: IHeaders = headBytes === undefined ? {} : { [HEADERS.headBytes]: headBytes };
      expectEqual(decodeAttemptHead({ value: Buffer.from(JSON.stringify(whole)), headers }), {
        ok: true,
        value: head,
      });
    }
    assert.equal(decodeAttemptHead({ value: null }).ok, false);
  });

  it('given the outcome header missing or not an outcome, then attemptOutcomeOf says undefined; else the outcome', () => {
    const of = (headers?: IHeaders) => attemptOutcomeOf({ value: null, headers });
    expectEqual(
      [
        of(undefined),
        of({}),
        of({ [HEADERS.outcome]: Buffer.from('maybe') }),
        of({ [HEADERS.outcome]: Buffer.from('') }),
        of({ [HEADERS.outcome]: Buffer.from('dropped') }),
        of({ [HEADERS.outcome]: 'rejected' }),
      ],
      [undefined, undefined, undefined, undefined, 'dropped', 'rejected'],
    );
  });
});
