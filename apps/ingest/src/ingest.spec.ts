import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { decodeWebhookEvent, HEADERS, SCHEMAS, type RecordIn } from '@hookpost/contracts';
import { recordBatchBytes, type OutgoingRecord } from '@hookpost/kafka';
import { SEED_CASES, SEED_DELIVERED, seedBytes } from '../../../libs/domain/src/testing/seed-events';
import { ingestMessage, validTraceHeaders, type IngestStats } from './ingest';

const TOPICS = { events: 'eu.webhook.events', rejected: 'eu.mail.events.rejected' };
const CTX = { topic: 'eu.mail.events', partition: 3 };
const NOW_MS = 1_770_146_800_000;
const LIMITS = { events: 2 * 1024 * 1024, rejected: 2 * 1024 * 1024 };
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function kafkaMessage(value: Buffer | null, headers: IHeaders = {}): KafkaMessage {
  return { key: Buffer.from('k'), value, headers, offset: '5', timestamp: '0', attributes: 0 };
}

function header(record: OutgoingRecord, name: string): string | undefined {
  const value = record.message.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** The headers a record carries besides the event's envelope (trace context, schema). */
function otherHeaders(record: OutgoingRecord): Record<string, unknown> {
  const envelope = new Set<string>([
    HEADERS.eventId,
    HEADERS.webhook,
    HEADERS.domain,
    HEADERS.messageId,
    HEADERS.eventTimestamp,
    HEADERS.receivedAt,
    HEADERS.redacted,
  ]);
  return Object.fromEntries(Object.entries(record.message.headers ?? {}).filter(([k]) => !envelope.has(k)));
}

function eventOf(record: OutgoingRecord) {
  const value = record.message.value;
  const decoded = decodeWebhookEvent({
    value: value === null || value === undefined ? null : Buffer.from(value),
    headers: record.message.headers,
  } as RecordIn);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  return decoded.value;
}

function run(message: KafkaMessage): { records: OutgoingRecord[]; stats: IngestStats } {
  const stats: IngestStats = { accepted: 0, rejected: 0 };
  return { records: ingestMessage(message, CTX, TOPICS, LIMITS, stats, NOW_MS), stats };
}

describe('ingestMessage', () => {
  describe('given each seed payload on mail.events', () => {
    for (const { webhook, data } of SEED_CASES) {
      it(`when ingested, then one ${webhook} event goes to webhook.events keyed by event id with its schema`, () => {
        const { records, stats } = run(kafkaMessage(seedBytes(data)));

        assert.equal(records.length, 1);
        const [record] = records;
        assert.equal(record.topic, TOPICS.events);
        assert.equal(record.message.key, data.id);
        assert.equal(header(record, HEADERS.schema), SCHEMAS.webhookEvent);
        assert.equal(header(record, HEADERS.domain), 'sample.mailgun.com');
        const event = eventOf(record);
        assert.equal(event.webhook, webhook);
        assert.equal(event.event_id, data.id);
        assert.equal(event.received_at, NOW_MS);
        assert.equal(event.redacted, false);
        assert.deepEqual(event.event_data, data);
        assert.deepEqual(stats, { accepted: 1, rejected: 0 });
      });
    }
  });

  it('given trace context headers, when ingested, then traceparent and tracestate are passed on and nothing else', () => {
    const { records } = run(
      kafkaMessage(seedBytes(SEED_DELIVERED), {
        traceparent: Buffer.from(TRACEPARENT),
        tracestate: Buffer.from('vendor=1'),
        'x-unrelated': Buffer.from('drop me'),
      }),
    );

    assert.deepEqual(otherHeaders(records[0]), {
      [HEADERS.traceparent]: TRACEPARENT,
      [HEADERS.tracestate]: 'vendor=1',
      [HEADERS.schema]: SCHEMAS.webhookEvent,
    });
  });

  describe('given malformed trace context, when ingested, then it is dropped and the event goes on without it', () => {
    const cases: Array<[string, IHeaders]> = [
      ['a traceparent with a line break', { traceparent: Buffer.from('00-abc\r\nx-injected: 1') }],
      ['a traceparent that is not W3C', { traceparent: Buffer.from('not-a-trace-context') }],
      ['a traceparent with upper-case hex', { traceparent: Buffer.from(TRACEPARENT.toUpperCase()) }],
      ['version ff', { traceparent: Buffer.from(`ff${TRACEPARENT.slice(2)}`) }],
      ['an all-zero trace id', { traceparent: Buffer.from(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`) }],
      ['an all-zero parent id', { traceparent: Buffer.from(`00-${'a'.repeat(32)}-${'0'.repeat(16)}-01`) }],
      ['a tracestate without a traceparent', { tracestate: Buffer.from('vendor=1') }],
    ];
    for (const [name, headers] of cases) {
      it(`given ${name}`, () => {
        const { records } = run(kafkaMessage(seedBytes(SEED_DELIVERED), headers));
        assert.equal(records[0].topic, TOPICS.events);
        assert.deepEqual(otherHeaders(records[0]), { [HEADERS.schema]: SCHEMAS.webhookEvent });
      });
    }

    it('given a valid traceparent and a tracestate with a NUL byte, then the traceparent alone goes on', () => {
      const { records } = run(
        kafkaMessage(seedBytes(SEED_DELIVERED), {
          traceparent: Buffer.from(TRACEPARENT),
          tracestate: Buffer.from('vendor=\u0000'),
        }),
      );
      assert.deepEqual(otherHeaders(records[0]), {
        [HEADERS.traceparent]: TRACEPARENT,
        [HEADERS.schema]: SCHEMAS.webhookEvent,
      });
    });
  });

  describe('validTraceHeaders', () => {
    it('given a W3C traceparent and a printable tracestate, then both are kept as they are', () => {
      const headers = { traceparent: TRACEPARENT, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' };
      assert.deepEqual(validTraceHeaders(headers), headers);
    });

    it('given nothing, then nothing', () => {
      assert.deepEqual(validTraceHeaders({}), {});
    });
  });

  it('given no trace context, when ingested, then only the schema header is set', () => {
    const { records } = run(kafkaMessage(seedBytes(SEED_DELIVERED)));
    assert.deepEqual(otherHeaders(records[0]), { [HEADERS.schema]: SCHEMAS.webhookEvent });
  });

  describe('given input that is not a valid event, when ingested, then the original bytes go to the rejected topic with the reason and source', () => {
    const invalid: Array<[string, Buffer | null, RegExp]> = [
      ['not JSON', Buffer.from('hello'), /^not JSON: /],
      [
        'an unknown event name',
        seedBytes({ ...SEED_DELIVERED, event: 'stored' }),
        /^unknown event name "stored"$/,
      ],
      ['a missing id', seedBytes({ ...SEED_DELIVERED, id: undefined }), /^invalid event: id: /],
      ['random bytes', Buffer.from([0xff, 0x00, 0xfe, 0x7b]), /^not JSON: /],
      ['a null value', null, /^empty message$/],
      [
        'a valid event nested 200 000 levels deep',
        Buffer.from(
          JSON.stringify(SEED_DELIVERED).replace(
            '"user-variables":[]',
            `"user-variables":${'['.repeat(200_000)}${']'.repeat(200_000)}`,
          ),
        ),
        /^nested deeper than \d+ levels$/,
      ],
    ];
    for (const [name, value, reason] of invalid) {
      it(`given ${name}`, () => {
        const message = kafkaMessage(value, { traceparent: Buffer.from(TRACEPARENT) });
        const { records, stats } = run(message);

        assert.equal(records.length, 1);
        const [record] = records;
        assert.equal(record.topic, TOPICS.rejected);
        assert.equal(record.message.value, value, 'the original bytes, untouched');
        assert.deepEqual(record.message.key, Buffer.from('k'));
        assert.match(header(record, HEADERS.rejectReason) ?? '', reason);
        assert.equal(header(record, HEADERS.schema), SCHEMAS.rejectedMailEvent);
        assert.equal(header(record, HEADERS.sourceTopic), 'eu.mail.events');
        assert.equal(header(record, HEADERS.sourcePartition), '3');
        assert.equal(header(record, HEADERS.sourceOffset), '5');
        assert.equal(header(record, HEADERS.traceparent), TRACEPARENT);
        assert.deepEqual(stats, { accepted: 0, rejected: 1 });
      });
    }
  });

  it('given a very long reason, when rejected, then the reason header is cut to 2000 characters', () => {
    const message = kafkaMessage(seedBytes({ ...SEED_DELIVERED, event: 'x'.repeat(5000) }));
    const reason = header(run(message).records[0], HEADERS.rejectReason) ?? '';
    assert.equal(reason, `unknown event name "${'x'.repeat(5000)}`.slice(0, 2000));
  });

  describe('given the limits of the topics it writes (their max.message.bytes)', () => {
    const MIB = 1024 * 1024;
    const withLimits = (message: KafkaMessage, limits: { events: number; rejected: number }) => {
      const stats: IngestStats = { accepted: 0, rejected: 0 };
      return { records: ingestMessage(message, CTX, TOPICS, limits, stats, NOW_MS), stats };
    };
    /** A valid event of exactly `bytes`. */
    const sized = (bytes: number) => {
      const event: Record<string, unknown> = { ...SEED_DELIVERED, 'x-padding': '' };
      event['x-padding'] = 'p'.repeat(bytes - Buffer.byteLength(JSON.stringify(event)));
      return Buffer.from(JSON.stringify(event));
    };

    it("when an event's normalised record fits, then it goes on: its value is the event data as written again", () => {
      const value = sized(MIB);
      const { records, stats } = withLimits(kafkaMessage(value), { events: 2 * MIB, rejected: 2 * MIB });

      assert.equal(records[0].topic, TOPICS.events);
      assert.ok(recordBatchBytes(records[0].message) <= 2 * MIB);
      const text = String(records[0].message.value);
      assert.equal(text, value.toString());
      assert.deepEqual(stats, { accepted: 1, rejected: 0 });
    });

    it("when the normalised record is over the events topic's limit, then the event is rejected with the sizes, whole", () => {
      const value = sized(MIB);
      const { records, stats } = withLimits(kafkaMessage(value), { events: MIB, rejected: 2 * MIB });

      assert.equal(records.length, 1);
      assert.equal(records[0].topic, TOPICS.rejected);
      assert.match(
        header(records[0], HEADERS.rejectReason) ?? '',
        new RegExp(`^normalised record is \\d+ bytes, over ${TOPICS.events}'s max.message.bytes of ${MIB}$`),
      );
      assert.ok((records[0].message.value as Buffer).equals(value));
      assert.deepEqual(stats, { accepted: 0, rejected: 1 });
    });

    it("when a rejected record with the original is over the rejected topic's limit, then it keeps the first KiB, the hash and the size", () => {
      const value = Buffer.alloc(3 * MIB, 0x7b);
      const { records } = withLimits(kafkaMessage(value), { events: 2 * MIB, rejected: 2 * MIB });

      assert.equal(records[0].topic, TOPICS.rejected);
      assert.ok(recordBatchBytes(records[0].message) <= 2 * MIB);
      assert.equal((records[0].message.value as Buffer).length, 1024);
      assert.equal(header(records[0], HEADERS.originalBytes), String(3 * MIB));
      assert.match(
        header(records[0], HEADERS.rejectReason) ?? '',
        /^message is 3145728 bytes, more than 1048576; /,
      );
    });
  });
});
