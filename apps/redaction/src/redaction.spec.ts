import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../libs/domain/src/testing/expect-equal';
import assert from 'node:assert/strict';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  configKey,
  decodeWebhookEvent,
  eventMessage,
  HEADERS,
  LEGACY_SCHEMAS,
  SCHEMAS,
  type WebhookEvent,
} from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState, REDACTED, type ConfigState } from '@hookpost/domain';
import type { OutgoingRecord } from '@hookpost/kafka';
import { SEED_CASES, SEED_OPENED } from '../../../libs/domain/src/testing/seed-events';
import { redactEvent, redactMessage } from './redaction';

const TOPICS = { redacted: 'webhook.events.redacted', rejected: 'mail.events.rejected' };
const CTX = { topic: 'webhook.events', partition: 0 };
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** sample.mailgun.com belongs to subaccount S of primary P; `redact` says who has PII redaction on. */
function state(redact: { primary?: boolean; sub?: boolean; domain?: boolean } = {}): ConfigState {
  const s = emptyConfigState();
  const base = { kind: 'account' as const, signing_key: 'k', standard_webhooks: false };
  applyConfigRecord(s, configKey.account('P'), {
    ...base,
    id: 'P',
    parent_id: null,
    redact_pii: !!redact.primary,
  });
  applyConfigRecord(s, configKey.account('S'), {
    ...base,
    id: 'S',
    parent_id: 'P',
    redact_pii: !!redact.sub,
  });
  applyConfigRecord(s, configKey.domain('sample.mailgun.com'), {
    kind: 'domain',
    name: 'sample.mailgun.com',
    account_id: 'S',
    redact_pii: !!redact.domain,
  });
  return s;
}

function eventOf(webhook: WebhookEvent['webhook'], data: Record<string, unknown>): WebhookEvent {
  return {
    event_id: String(data.id),
    webhook,
    domain: 'sample.mailgun.com',
    message_id: 'm@sample.mailgun.com',
    timestamp: Number(data.timestamp),
    received_at: 1_770_146_800_000,
    redacted: false,
    event_data: data,
  };
}

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

const header = (record: OutgoingRecord, name: string) => {
  const value = record.message.headers?.[name];
  return value === undefined ? undefined : String(value);
};

describe('redactEvent', () => {
  describe('given redaction on for the domain, when each seed event passes, then its PII is replaced and it is marked redacted', () => {
    for (const { webhook, data } of SEED_CASES) {
      it(`given ${webhook}`, () => {
        const out = redactEvent(eventOf(webhook, structuredClone(data)), state({ domain: true }));

        assert.equal(out.redacted, true);
        assert.equal(out.event_data.recipient, REDACTED);
        expectEqual(
          (out.event_data.message as { headers: Record<string, unknown> }).headers['message-id'],
          (data.message as { headers: Record<string, unknown> }).headers['message-id'],
        );
        assert.notDeepEqual(out.event_data, data);
      });
    }
  });

  it("given redaction on for the primary account, when a subaccount's domain event passes, then it is redacted", () => {
    const out = redactEvent(eventOf('opened', structuredClone(SEED_OPENED)), state({ primary: true }));
    assert.equal(out.redacted, true);
    assert.equal(out.event_data.ip, REDACTED);
  });

  describe('given redaction off, when an event passes, then it is returned as it came', () => {
    const cases: Array<[string, Parameters<typeof state>[0]]> = [
      ['nobody opted in', {}],
      ['only the subaccount opted in (only the primary counts)', { sub: true }],
    ];
    for (const [name, redact] of cases) {
      it(`given ${name}`, () => {
        const event = eventOf('opened', structuredClone(SEED_OPENED));
        const out = redactEvent(event, state(redact));
        assert.equal(out.redacted, false);
        expectEqual(out.event_data, SEED_OPENED);
      });
    }
  });

  describe('given what the view does not hold, when an event passes, then it is redacted (fails closed, never passed on in clear)', () => {
    const unknown: Array<[string, () => ConfigState]> = [
      ['a domain the view does not hold', () => emptyConfigState()],
      [
        'a domain whose account the view does not hold',
        () => {
          const s = state();
          applyConfigRecord(s, configKey.account('S'), null);
          return s;
        },
      ],
      [
        "a subaccount's domain whose primary the view does not hold",
        () => {
          const s = state();
          applyConfigRecord(s, configKey.account('P'), null);
          return s;
        },
      ],
    ];
    for (const [name, view] of unknown) {
      it(`given ${name}`, () => {
        const out = redactEvent(eventOf('opened', structuredClone(SEED_OPENED)), view());
        assert.equal(out.redacted, true);
        assert.equal(out.event_data.recipient, REDACTED);
        assert.equal(out.event_data.ip, REDACTED);
      });
    }
  });

  it('given redaction on, when an event passes, then the input event is not mutated', () => {
    const event = eventOf('opened', structuredClone(SEED_OPENED));
    redactEvent(event, state({ domain: true }));
    assert.equal(event.redacted, false);
    expectEqual(event.event_data, SEED_OPENED);
  });
});

describe('redactMessage', () => {
  /** The event's record as ingest writes it (SCHEMAS.webhookEvent: envelope in headers, data as value). */
  const recordOf = (event: WebhookEvent, trace: IHeaders = {}): KafkaMessage => {
    const { event_data, ...envelope } = event;
    const written = eventMessage(envelope, JSON.stringify(event_data), {});
    const headers: IHeaders = { ...trace };
    for (const [k, v] of Object.entries(written.headers ?? {})) headers[k] = Buffer.from(String(v));
    return { ...kafkaMessage(Buffer.from(String(written.value)), headers), key: Buffer.from(event.event_id) };
  };
  const decoded = (record: OutgoingRecord): WebhookEvent => {
    const value = record.message.value;
    const out = decodeWebhookEvent({
      value: value === null || value === undefined ? null : Buffer.from(value),
      headers: record.message.headers,
    });
    assert.ok(out.ok, out.ok ? '' : out.reason);
    return out.value;
  };

  it('given a valid event with redaction on, when handled, then one redacted event goes out keyed by event id with schema and trace', () => {
    const event = eventOf('opened', structuredClone(SEED_OPENED));
    const records = redactMessage(
      state({ primary: true }),
      recordOf(event, { traceparent: Buffer.from(TRACEPARENT) }),
      CTX,
      TOPICS,
    );

    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record.topic, TOPICS.redacted);
    assert.equal(record.message.key, event.event_id);
    assert.equal(header(record, HEADERS.schema), SCHEMAS.webhookEvent);
    assert.equal(header(record, HEADERS.traceparent), TRACEPARENT);
    assert.equal(header(record, HEADERS.redacted), 'true');
    const out = decoded(record);
    assert.equal(out.redacted, true);
    assert.equal(out.event_data.recipient, REDACTED);
    assert.equal(out.event_data.ip, REDACTED);
    expectEqual(out.event_data.geolocation, SEED_OPENED.geolocation);
  });

  it('given a valid event with redaction off, when handled, then the event goes out unchanged: the same bytes, unparsed', () => {
    const event = eventOf('opened', structuredClone(SEED_OPENED));
    const input = recordOf(event, { traceparent: Buffer.from(TRACEPARENT) });
    const [record] = redactMessage(state(), input, CTX, TOPICS);
    assert.equal(record.message.value, input.value, 'the value is forwarded as the same buffer');
    assert.equal(header(record, HEADERS.traceparent), TRACEPARENT);
    expectEqual(decoded(record), event);
  });

  it('given a record of the previous schema (the whole event as JSON), when handled, then it is read and written in the new one', () => {
    const event = eventOf('opened', structuredClone(SEED_OPENED));
    const input = kafkaMessage(Buffer.from(JSON.stringify(event)), {
      [HEADERS.schema]: Buffer.from(LEGACY_SCHEMAS.webhookEvent),
    });
    const [record] = redactMessage(state({ primary: true }), input, CTX, TOPICS);
    assert.equal(header(record, HEADERS.schema), SCHEMAS.webhookEvent);
    const out = decoded(record);
    assert.equal(out.redacted, true);
    assert.equal(out.event_data.recipient, REDACTED);
  });

  describe('given a value that is not a webhook event, when handled, then it goes to the rejected topic with its bytes and source', () => {
    const invalid: Array<[string, Buffer | null]> = [
      ['not JSON', Buffer.from('{{')],
      ['a raw Mailgun event (not normalised)', Buffer.from(JSON.stringify(SEED_OPENED))],
      [
        'an unknown webhook name',
        Buffer.from(JSON.stringify({ ...eventOf('opened', SEED_OPENED), webhook: 'failed' })),
      ],
      ['a null value', null],
    ];
    for (const [name, value] of invalid) {
      it(`given ${name}`, () => {
        const records = redactMessage(
          state({ domain: true }),
          kafkaMessage(value, { traceparent: Buffer.from(TRACEPARENT) }),
          CTX,
          TOPICS,
        );

        assert.equal(records.length, 1);
        const [record] = records;
        assert.equal(record.topic, TOPICS.rejected);
        assert.equal(record.message.value, value);
        assert.ok((header(record, HEADERS.rejectReason) ?? '').length > 0);
        assert.equal(header(record, HEADERS.sourceTopic), 'webhook.events');
        assert.equal(header(record, HEADERS.sourcePartition), '0');
        assert.equal(header(record, HEADERS.sourceOffset), '5');
        assert.equal(header(record, HEADERS.traceparent), TRACEPARENT);
      });
    }
  });
});
