import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { CompressionTypes, type Kafka, type Message, type ProducerBatch } from 'kafkajs';
import { BatchingProducer, chunkRecords, recordBatchBytes, type OutgoingRecord } from './producer';
import { jsonMessageWith } from './messages';

const record = (i: number, bytes: number): OutgoingRecord => ({
  topic: 't',
  message: { key: String(i), value: 'x'.repeat(bytes) },
});

describe('chunkRecords', () => {
  it('given records under the limits, when chunked, then one chunk in order', () => {
    const records = [1, 2, 3].map((i) => record(i, 10));
    assert.deepEqual(chunkRecords(records, 1000, 10), [records]);
  });

  it('given records over the byte limit, when chunked, then every chunk stays under it and order holds', () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i, 100));
    const chunks = chunkRecords(records, 1000, 1000);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(chunk.reduce((n, r) => n + String(r.message.value).length, 0) <= 1000);
    }
    assert.deepEqual(chunks.flat(), records);
  });

  it('given a record larger than the limit, when chunked, then it goes alone', () => {
    const records = [record(1, 10), record(2, 5000), record(3, 10)];
    assert.deepEqual(
      chunkRecords(records, 1000, 1000).map((c) => c.map((r) => r.message.key)),
      [['1'], ['2'], ['3']],
    );
  });

  it('given more records than the count limit, when chunked, then chunks hold at most that many', () => {
    const records = Array.from({ length: 7 }, (_, i) => record(i, 1));
    assert.deepEqual(
      chunkRecords(records, 1_000_000, 3).map((c) => c.length),
      [3, 3, 1],
    );
  });

  it('given no records, when chunked, then no chunk', () => {
    assert.deepEqual(chunkRecords([]), []);
  });
});

describe('jsonMessageWith', () => {
  it('given a value and a raw JSON field, then the message parses to the value with that field', () => {
    const raw = JSON.stringify({ delivery_id: 'dlv_1', event_data: { a: [1, 2, { b: 'ü' }] } });
    const message = jsonMessageWith('k', { attempt: 2, outcome: 'failed' }, 'job', raw, 'schema.v1', {
      traceparent: 'tp',
    });
    assert.deepEqual(JSON.parse(String(message.value)), {
      attempt: 2,
      outcome: 'failed',
      job: { delivery_id: 'dlv_1', event_data: { a: [1, 2, { b: 'ü' }] } },
    });
    assert.equal(message.key, 'k');
    assert.deepEqual(message.headers, { traceparent: 'tp', 'hookpost-schema': 'schema.v1' });
  });
  it('given the raw field as bytes (multi-byte text), then the same message as from its string', () => {
    const raw = JSON.stringify({ id: 'é😀', n: [1, 2] });
    const head = { reason: 'HTTP 503: ünavailable' };
    const fromBytes = jsonMessageWith('k', head, 'job', Buffer.from(raw), 's', {});
    const fromString = jsonMessageWith('k', head, 'job', raw, 's', {});
    assert.ok(Buffer.isBuffer(fromBytes.value));
    assert.equal(String(fromBytes.value), String(fromString.value));
    assert.deepEqual(JSON.parse(String(fromBytes.value)), { ...head, job: JSON.parse(raw) });
  });
  it('given an empty value, then the field is the only one', () => {
    assert.deepEqual(JSON.parse(String(jsonMessageWith(null, {}, 'job', '{"x":1}', 's', {}).value)), {
      job: { x: 1 },
    });
  });
});

/** A kafkajs client whose producer records each produce request and acknowledges it when told to. */
function recordingKafka() {
  const requests: string[][] = [];
  const acks: Array<() => void> = [];
  const codecs: Array<CompressionTypes | undefined> = [];
  const kafka = {
    producer: () => ({
      sendBatch: (batch: ProducerBatch) => {
        codecs.push(batch.compression);
        requests.push((batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.key))));
        return new Promise<void>((resolve) => acks.push(resolve));
      },
    }),
  } as unknown as Kafka;
  return { kafka, requests, acks, codecs };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchingProducer', () => {
  it('given no codec, then batches go LZ4-compressed; given one, then with it', async () => {
    for (const [codec, expected] of [
      [undefined, CompressionTypes.LZ4],
      ['none', CompressionTypes.None],
      ['zstd', CompressionTypes.ZSTD],
    ] as const) {
      const { kafka, acks, codecs } = recordingKafka();
      const sent = new BatchingProducer(kafka, codec).send([record(1, 1)]);
      await turn();
      acks[0]();
      await sent;
      assert.deepEqual(codecs, [expected]);
    }
  });

  it('given sends made in the same turn of the event loop, then they go in one request, in order', async () => {
    const { kafka, requests, acks } = recordingKafka();
    const producer = new BatchingProducer(kafka);
    const sent = [
      producer.send([record(1, 1)]),
      producer.send([record(2, 1), record(3, 1)]),
      producer.send([record(4, 1)]),
    ];
    await turn();
    assert.deepEqual(requests, [['1', '2', '3', '4']]);
    acks[0]();
    await Promise.all(sent);
  });

  it('given a request in flight, then later sends wait for its ack and go together in the next one', async () => {
    const { kafka, requests, acks } = recordingKafka();
    const producer = new BatchingProducer(kafka);
    let firstDone = false;
    const first = producer.send([record(1, 1)]).then(() => (firstDone = true));
    await turn();
    const later = [producer.send([record(2, 1)]), producer.send([record(3, 1)])];
    await turn();
    assert.deepEqual(requests, [['1']]);
    assert.equal(firstDone, false);
    acks[0]();
    await first;
    await turn();
    assert.deepEqual(requests, [['1'], ['2', '3']]);
    acks[1]();
    await Promise.all(later);
  });
});

describe('recordBatchBytes', () => {
  /** The record batch kafkajs writes for one message, as the broker measures it (offset and length included). */
  async function encodedBatchBytes(message: Message): Promise<number> {
    // kafkajs's own encoders (not exported by its index): what its producer sends for this one record
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal, untyped modules
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
      RecordBatch: (o: { records: unknown[] }) => Promise<{ buffer: Buffer }>;
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal, untyped modules
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: unknown) => unknown;
    const batch = await RecordBatch({
      records: [Record({ key: message.key, value: message.value, headers: message.headers ?? {} })],
    });
    return batch.buffer.length;
  }

  const cases: Array<[string, Message]> = [
    ['a bare value', { key: null, value: 'v' }],
    [
      'a key, a 1 MiB value and headers',
      {
        key: 'example.com',
        value: Buffer.alloc(1024 * 1024, 0x61),
        headers: {
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          'hookpost-schema': 'x.v1',
        },
      },
    ],
    [
      'multi-byte text and a header with two values',
      { key: 'ü', value: '😀'.repeat(1000), headers: { h: ['a', 'bé'] } },
    ],
  ];
  for (const [name, message] of cases) {
    it(`given ${name}, then it is at least the encoded batch and at most 64 bytes more`, async () => {
      const encoded = await encodedBatchBytes(message);
      const estimate = recordBatchBytes(message);
      assert.ok(estimate >= encoded, `${estimate} >= ${encoded}`);
      assert.ok(estimate - encoded <= 64, `${estimate} - ${encoded} <= 64`);
    });
  }
});
