import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Encoder from 'kafkajs/src/protocol/encoder';
import { encodeRecord, writeUVarInt, writeVarLong, type RecordInput } from './record-encoding-fix';

/** kafkajs' own record encoder, as it ships (this spec never installs the fix). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (
  input: RecordInput,
) => Encoder;

const VALUE = Buffer.from(JSON.stringify({ event: 'delivered', pad: 'é'.repeat(1200) }));

const CASES: Array<[string, RecordInput]> = [
  ['a record with no key and no headers', { value: VALUE }],
  [
    'string key and value, offset and timestamp deltas',
    { key: 'k-1', value: 'v', offsetDelta: 300, timestampDelta: 70000 },
  ],
  ['a timestamp delta past 32 bits', { key: 'k', value: VALUE, timestampDelta: 2 ** 40 + 7 }],
  [
    'nine headers, Buffer and string values, non-ASCII',
    {
      key: Buffer.from('evt-1'),
      value: VALUE,
      headers: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'hookpost-schema': 'hookpost.webhook-event.v2',
        'hookpost-event-id': Buffer.from('evt-1'),
        'hookpost-webhook': 'delivered',
        'hookpost-domain': 'exämple.com',
        'hookpost-message-id': '<m@example.com>',
        'hookpost-event-timestamp': '1521472262.908181',
        'hookpost-received-at': '1770146800000',
        'hookpost-redacted': 'false',
      },
    },
  ],
  ['a repeated header (array value)', { value: 'v', headers: { a: ['1', Buffer.from('2')], b: 'x' } }],
  ['a null key and value', { key: null, value: null }],
  ['a value larger than 128 KiB', { key: 'big', value: Buffer.alloc(200_000, 0x61) }],
];

describe('encodeRecord', () => {
  for (const [name, input] of CASES) {
    it(`given ${name}, then it writes the same bytes as kafkajs`, () => {
      const ours = encodeRecord(input).buffer;
      const theirs = kafkajsRecord(input).buffer;
      assert.ok(ours.equals(theirs), `${ours.length} vs ${theirs.length} bytes`);
    });
  }

  it('given a null header value (which kafkajs refuses with a TypeError), then it is written as absent (-1)', () => {
    const ours = encodeRecord({ value: 'v', headers: { gone: null } }).buffer;
    const empty = encodeRecord({ value: 'v', headers: { gone: '' } }).buffer;
    assert.equal(ours.length, empty.length);
    assert.equal(ours[ours.length - 1], 0x01, 'zig-zag varint of -1');
  });

  it('given a record, then its buffer is exactly its size (nothing left unwritten)', () => {
    const encoder = encodeRecord(CASES[3][1]);
    assert.equal(encoder.offset, encoder.buf.length);
  });
});

describe('varints', () => {
  const VALUES = [
    0,
    1,
    -1,
    63,
    64,
    -64,
    -65,
    127,
    128,
    300,
    -300,
    2 ** 20,
    -(2 ** 20),
    2 ** 31 - 1,
    -(2 ** 31),
  ];

  it('given int32 values, then writeUVarInt (on zig-zag values, as writeVarInt calls it) writes what kafkajs writes', () => {
    for (const v of VALUES) {
      const zigzag = Encoder.encodeZigZag(v);
      const ours = writeUVarInt.call(new Encoder(), zigzag).buffer;
      const theirs = new Encoder().writeUVarInt(zigzag).buffer;
      assert.ok(ours.equals(theirs), `${v}: ${ours.toString('hex')} vs ${theirs.toString('hex')}`);
    }
  });

  it('given int32 values and larger ones, then writeVarLong writes what kafkajs writes', () => {
    for (const v of [...VALUES, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, -(2 ** 40), Number.MAX_SAFE_INTEGER]) {
      const ours = writeVarLong.call(new Encoder(), v).buffer;
      const theirs = new Encoder().writeVarLong(v).buffer;
      assert.ok(ours.equals(theirs), `${v}: ${ours.toString('hex')} vs ${theirs.toString('hex')}`);
    }
  });
});

/**
 * What kafkajs' produce request gets as its record encoder and CRC-32C once a service has started
 * telemetry (OpenTelemetry's require hook installed) and created its client, in a node process of its
 * own: jest has its own module system, and this is about node's `require` as the services run it.
 */
function installedUnderTelemetry(): { record: boolean; crc: boolean; warnings: string[] } {
  const script = `
    const { join } = require('node:path');
    const Module = require('node:module');
    require(${JSON.stringify(join(__dirname, '../../telemetry/src/otel.js'))}).startTelemetry('spec', {});
    const { createKafka } = require(${JSON.stringify(join(__dirname, 'client.js'))});
    const fix = require(${JSON.stringify(join(__dirname, 'record-encoding-fix.js'))});
    const warnings = [];
    const logger = { warn: (m) => warnings.push(String(m)), child: () => logger };
    createKafka({ brokers: ['127.0.0.1:1'], clientId: 'spec', logger });
    const fromProduce = Module.createRequire(require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js'));
    const fromBatch = Module.createRequire(require.resolve('kafkajs/src/protocol/recordBatch/v0/index.js'));
    fromProduce('../../../recordBatch/v0'); // loads the batch encoder, as the first produce does
    process.stdout.write(JSON.stringify({
      record: fromProduce('../../../recordBatch/record/v0') === fix.encodeRecord,
      crc: fromBatch('../crc32C') === fix.batchCrc32c,
      warnings,
    }));
    process.exit(0);
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { record: boolean; crc: boolean; warnings: string[] };
}

describe('fixRecordEncoding under the require hook of telemetry', () => {
  it('given telemetry started, when a service creates its Kafka client, then kafkajs encodes with our record encoder and CRC-32C, without a warning', () => {
    assert.deepEqual(installedUnderTelemetry(), { record: true, crc: true, warnings: [] });
  });
});
