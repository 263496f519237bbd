import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Decoder from 'kafkajs/src/protocol/decoder';
import Encoder from 'kafkajs/src/protocol/encoder';
import { decodeRecord, type BatchContext, type DecodedRecord } from './record-decoding-fix';
import { encodeRecord, type RecordInput } from './record-encoding-fix';
import { seededRandom } from './testing/random';

/* eslint-disable @typescript-eslint/no-require-imports */
/** kafkajs' own record decoder and encoder, as they ship, by their files (this spec never installs the fix). */
const kafkajsDecodeRecord = require(
  require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder'),
) as (decoder: Decoder, batchContext?: BatchContext) => DecodedRecord;
const kafkajsRecord = require(require.resolve('kafkajs/src/protocol/recordBatch/record/v0')) as (
  input: RecordInput,
) => Encoder;
/** kafkajs' record-batch encoder and decoder (the decoder with kafkajs' record decoder: the expected output). */
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (batch: {
    compression?: number;
    firstOffset?: bigint;
    firstTimestamp?: number;
    maxTimestamp?: number;
    lastOffsetDelta?: number;
    records: Encoder[];
  }) => Promise<Encoder>;
};
const kafkajsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  decoder: Decoder,
) => Promise<{ records: DecodedRecord[] }>;
/* eslint-enable @typescript-eslint/no-require-imports */

const rand = seededRandom(20260203);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(values: readonly T[]): T => values[int(values.length)];
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
const text = (n: number): string =>
  Array.from({ length: n }, () => pick(['a', 'z', '-', '7', 'é', '漢', '😀'])).join('');

const NAMES = ['traceparent', 'hookpost-schema', 'hookpost-event-id', 'a', 'b', 'ä', '', '1', '10', '2'];
const TIMESTAMP_DELTAS = [
  0,
  1,
  -1,
  63,
  -64,
  300,
  -300,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 40 + 7,
  -(2 ** 40),
  2 ** 48 - 1,
  -(2 ** 48),
  2 ** 48,
  -(2 ** 48) - 1,
  2 ** 52 + 3,
  -(2 ** 55),
  2 ** 62,
  -(2 ** 63),
  Number.MAX_SAFE_INTEGER,
];
const OFFSET_DELTAS = [0, 1, 127, 128, 300, 2 ** 20, 2 ** 31 - 1, -1, -(2 ** 31)];

function randomValue(): Buffer | string | null | undefined {
  switch (int(8)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return '';
    case 3:
      return Buffer.alloc(0);
    case 4:
      return int(40) === 0 ? bytes(200_000) : bytes(2400);
    case 5:
      return text(int(30));
    default:
      return bytes(int(100));
  }
}

function randomHeaders(): NonNullable<RecordInput['headers']> {
  const headers: NonNullable<RecordInput['headers']> = {};
  const count = int(13);
  for (let i = 0; i < count; i++) {
    const name = pick(NAMES);
    const value = int(2) === 0 ? text(int(60)) : bytes(int(60));
    const current = headers[name];
    if (current === undefined) headers[name] = value;
    else headers[name] = Array.isArray(current) ? [...current, value] : [current as string, value];
  }
  return headers;
}

function randomRecord(): RecordInput {
  return {
    offsetDelta: int(3) === 0 ? pick(OFFSET_DELTAS) : int(1000),
    timestampDelta: int(3) === 0 ? pick(TIMESTAMP_DELTAS) : int(600_000) - 1000,
    key: int(4) === 0 ? null : int(2) === 0 ? text(int(20)) : bytes(int(20)),
    value: randomValue(),
    headers: randomHeaders(),
  };
}

function randomContext(): BatchContext {
  const context: BatchContext = {
    firstOffset: pick([
      '0',
      '12345',
      String(2 ** 53 - 5),
      '18014398509481985',
      '9223372036854775000',
      77,
      2 ** 60,
    ]),
    firstTimestamp: pick([
      '1770146800000',
      '-1',
      '0',
      String(2 ** 53 - 1),
      '9223372036854775807',
      1770146800000,
    ]),
    magicByte: pick([2, undefined]),
    timestampType: pick([0, 1]),
    maxTimestamp: pick(['1770146809999', '0', '', '-1']),
    partitionLeaderEpoch: 0,
    producerId: '-1',
  };
  const control = pick([true, false, undefined]);
  if (control !== undefined) context.isControlBatch = control;
  return context;
}

/** A record's body as a batch holds it (what the record decoders read): the encoder's bytes minus its length. */
function body(encoded: Buffer): Buffer {
  return new Decoder(encoded).readVarIntBytes() as Buffer;
}

/** Decodes with both decoders; they must agree on everything: values, key order, bytes read. */
function assertSameDecoding(record: Buffer, context: BatchContext | undefined, label: string): DecodedRecord {
  const oursDecoder = new Decoder(record);
  const theirsDecoder = new Decoder(record);
  const ours = decodeRecord(oursDecoder, context);
  const theirs = kafkajsDecodeRecord(theirsDecoder, context);
  assert.deepStrictEqual(ours, theirs, label);
  assert.deepEqual(Object.keys(ours), Object.keys(theirs), label);
  assert.deepEqual(Object.keys(ours.headers), Object.keys(theirs.headers), label);
  assert.equal(oursDecoder.offset, theirsDecoder.offset, label);
  return ours;
}

/** The same decoding as kafkajs, or the same error (name and message) when kafkajs throws. */
function assertSameOutcome(record: Buffer, context: BatchContext, label: string): void {
  let theirs: unknown = null;
  try {
    kafkajsDecodeRecord(new Decoder(record), context);
  } catch (error) {
    theirs = error;
  }
  if (theirs instanceof Error) {
    const { name, message } = theirs;
    assert.throws(() => decodeRecord(new Decoder(record), context), { name, message }, label);
  } else {
    assertSameDecoding(record, context, label);
  }
}

/** A record body written by hand: headers in any order, repeated anywhere, null names; any timestamp delta. */
function rawRecord(
  headers: Array<[string | null, Buffer | string | null]> | null,
  { timestampDelta = 0, offsetDelta = 0 }: { timestampDelta?: number; offsetDelta?: number } = {},
): Buffer {
  const encoder = new Encoder()
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes('k')
    .writeVarIntBytes('v')
    .writeVarInt(headers === null ? -1 : headers.length);
  for (const [name, value] of headers ?? []) encoder.writeVarIntString(name).writeVarIntBytes(value);
  return encoder.buffer;
}

const CONTEXT: BatchContext = {
  firstOffset: '1234567',
  firstTimestamp: '1770146800000',
  magicByte: 2,
  timestampType: 0,
  maxTimestamp: '1770146809999',
};

describe('decodeRecord', () => {
  it('given 3,000 random records encoded by kafkajs (keys, values, 0-12 headers, deltas, offsets past 2^53, control batches, LOG_APPEND_TIME), then it decodes each as kafkajs does', () => {
    let context = randomContext();
    for (let i = 0; i < 3000; i++) {
      if (int(20) === 0) context = randomContext(); // runs of records of one batch, as kafkajs decodes them
      const input = randomRecord();
      assertSameDecoding(body(kafkajsRecord(input).buffer), context, `record ${i}`);
    }
  });

  it('given records encoded by encodeRecord (a null header value: -1), then it decodes each as kafkajs does', () => {
    for (let i = 0; i < 300; i++) {
      const input = { ...randomRecord(), headers: { ...randomHeaders(), gone: null } };
      assertSameDecoding(body(encodeRecord(input).buffer), CONTEXT, `record ${i}`);
    }
  });

  it('given offsets and timestamps past the safe integers, then they are kafkajs’ (its Long), exact', () => {
    const record = body(kafkajsRecord({ offsetDelta: 5, timestampDelta: -(2 ** 40), value: 'v' }).buffer);
    const decoded = assertSameDecoding(
      record,
      { firstOffset: '9223372036854775800', firstTimestamp: '9007199254740993' },
      'past 2^53',
    );
    assert.equal(decoded.offset, '9223372036854775805');
    assert.equal(decoded.timestamp, String(9007199254740993n - 2n ** 40n));
    const near = body(kafkajsRecord({ offsetDelta: 10, timestampDelta: 10, value: 'v' }).buffer);
    const crossing = assertSameDecoding(
      near,
      { firstOffset: String(2 ** 53 - 5), firstTimestamp: String(2 ** 53 - 1) },
      'crossing 2^53',
    );
    assert.equal(crossing.offset, String(2n ** 53n + 5n));
    assert.equal(crossing.timestamp, String(2n ** 53n + 9n));
  });

  it('given headers repeated, interleaved, with null, numeric, empty and prototype names, then the headers object is kafkajs’', () => {
    const sequences: Array<Array<[string | null, Buffer | string | null]>> = [
      [
        ['a', '1'],
        ['b', '2'],
        ['a', '3'],
        ['a', null],
        ['c', ''],
        ['b', '4'],
      ],
      [
        [null, 'x'],
        ['null', 'y'],
        ['', 'e'],
        ['', 'f'],
      ],
      [
        ['10', 'ten'],
        ['2', 'two'],
        ['name', 'n'],
        ['1', 'one'],
        ['2', 'two again'],
      ],
      [
        ['__proto__', 'p'],
        ['constructor', 'c'],
        ['toString', 't'],
        ['__proto__', 'q'],
        ['hasOwnProperty', 'h'],
      ],
      Array.from({ length: 40 }, (_, i): [string, string] => [`header-${i % 35}`, `value-${i}`]),
      [['n'.repeat(300), 'long name, not cached']],
    ];
    for (const [i, headers] of sequences.entries()) {
      assertSameDecoding(rawRecord(headers), CONTEXT, `sequence ${i}`);
    }
    const decoded = decodeRecord(new Decoder(rawRecord(sequences[3])), CONTEXT);
    assert.equal(Object.getPrototypeOf(decoded.headers), Object.prototype);
    assert.ok(Object.hasOwn(decoded.headers, '__proto__'));
  });

  it('given a header count of -1, then no headers, as kafkajs', () => {
    assert.deepEqual(assertSameDecoding(rawRecord(null), CONTEXT, 'count -1').headers, {});
  });

  it('given names of the same length in the same place as the previous record’s, then each record gets its own', () => {
    for (const name of ['abc', 'abd', 'abd', 'xbd', 'é', 'ü', 'é']) {
      const decoded = assertSameDecoding(rawRecord([[name, 'v']]), CONTEXT, name);
      assert.deepEqual(Object.keys(decoded.headers), [name]);
    }
  });

  it('given timestamp deltas of every varlong length, with and without LOG_APPEND_TIME, then as kafkajs', () => {
    for (const timestampDelta of TIMESTAMP_DELTAS) {
      for (const timestampType of [0, 1]) {
        const record = rawRecord([['a', 'b']], { timestampDelta, offsetDelta: 3 });
        assertSameDecoding(record, { ...CONTEXT, timestampType }, `${timestampDelta} type ${timestampType}`);
      }
    }
  });

  it('given no batch context, or one changed in place between records, then as kafkajs', () => {
    const record = rawRecord([['a', 'b']], { timestampDelta: 9, offsetDelta: 3 });
    assert.throws(() => kafkajsDecodeRecord(new Decoder(record)), TypeError);
    assert.throws(() => decodeRecord(new Decoder(record)), TypeError);
    const context: BatchContext = { ...CONTEXT };
    for (const firstOffset of ['100', '200', '200', String(2 ** 60), '300']) {
      context.firstOffset = firstOffset;
      context.firstTimestamp = firstOffset;
      assertSameDecoding(record, context, firstOffset);
    }
  });

  it('given first offsets and timestamps in forms other than BigInt’s decimal (empty, 1e3, 1.0, 0x10, Infinity, -0), then as kafkajs, errors included', () => {
    const record = rawRecord([['a', 'b']], { timestampDelta: 9, offsetDelta: 3 });
    for (const first of ['', '1e3', '1.0', '0x10', ' 7', 'Infinity', '-0', NaN, 1.5, -0]) {
      assertSameOutcome(record, { ...CONTEXT, firstOffset: first }, `offset ${String(first)}`);
      assertSameOutcome(record, { ...CONTEXT, firstTimestamp: first }, `timestamp ${String(first)}`);
    }
  });

  it('given a varlong of 11 bytes or a header count below -1, then it throws what kafkajs throws', () => {
    const longVarLong = Buffer.from([0, ...new Array(10).fill(0x80), 0, 0, 0, 0, 0]);
    const badCount = Buffer.concat([rawRecord([]).subarray(0, -1), Buffer.from([0x03])]); // zig-zag -2
    assert.throws(() => kafkajsDecodeRecord(new Decoder(longVarLong), CONTEXT));
    assert.throws(() => kafkajsDecodeRecord(new Decoder(badCount), CONTEXT));
    assertSameOutcome(longVarLong, CONTEXT, '11-byte varlong');
    assertSameOutcome(badCount, CONTEXT, 'count -2');
  });
});

/** Record batches as kafkajs writes them: plain, gzip, control with LOG_APPEND_TIME, offsets past 2^53. */
async function batches(): Promise<Buffer[]> {
  const made: Buffer[] = [];
  for (const [compression, firstOffset, flags] of [
    [0, 1234567n, 0],
    [1, 42n, 0],
    [0, 7n, 0x08 | 0x20], // LOG_APPEND_TIME, control
    [0, 2n ** 53n - 3n, 0],
  ] as const) {
    const records = Array.from({ length: 20 }, (_, i) =>
      kafkajsRecord({ ...randomRecord(), offsetDelta: i, value: bytes(100) }),
    );
    const batch = Buffer.from(
      (
        await RecordBatch({
          compression,
          firstOffset,
          firstTimestamp: 1770146800000,
          maxTimestamp: 1770146800600,
          lastOffsetDelta: 19,
          records,
        })
      ).buffer,
    );
    batch.writeInt16BE(batch.readInt16BE(21) | flags, 21); // the attributes (kafkajs checks no CRC)
    made.push(batch);
  }
  return made;
}

/**
 * kafkajs' batch decoder in a service's node process of its own (jest has its own module system): preload,
 * telemetry (OpenTelemetry's require hook), createKafka, then the batches decoded by the batch decoder
 * kafkajs' fetch response requires.
 */
function decodedInAService(hexBatches: string[]): { ours: boolean; warnings: string[]; batches: unknown } {
  const script = `
    require(${JSON.stringify(join(__dirname, 'preload.js'))});
    const Module = require('node:module');
    require(${JSON.stringify(join(__dirname, '../../telemetry/src/otel.js'))}).startTelemetry('spec', {});
    const { createKafka } = require(${JSON.stringify(join(__dirname, 'client.js'))});
    const fix = require(${JSON.stringify(join(__dirname, 'record-decoding-fix.js'))});
    const warnings = [];
    const logger = { warn: (m) => warnings.push(String(m)), child: () => logger };
    createKafka({ brokers: ['127.0.0.1:1'], clientId: 'spec', logger });
    const fromFetch = Module.createRequire(require.resolve('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js'));
    const decodeBatch = fromFetch('../../../recordBatch/v0/decoder'); // as the first fetch loads it
    const fromBatch = Module.createRequire(require.resolve('kafkajs/src/protocol/recordBatch/v0/decoder.js'));
    const Decoder = fromFetch('../../../decoder');
    (async () => {
      const batches = [];
      for (const hex of JSON.parse(require('node:fs').readFileSync(0, 'utf8'))) {
        batches.push(await decodeBatch(new Decoder(Buffer.from(hex, 'hex'))));
      }
      const out = JSON.stringify({ ours: fromBatch('../record/v0/decoder') === fix.decodeRecord, warnings, batches });
      process.stdout.write(out, () => process.exit(0)); // all of it: a pipe is written asynchronously
    })();
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    input: JSON.stringify(hexBatches),
    env: { PATH: process.env.PATH },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { ours: boolean; warnings: string[]; batches: unknown };
}

describe('fixRecordDecoding in a service', () => {
  it('given preload, telemetry and createKafka, when kafkajs decodes record batches, then it uses decodeRecord, which gives what kafkajs’ own gives, without a warning', async () => {
    const made = await batches();
    const expected: unknown[] = [];
    for (const batch of made) expected.push(await kafkajsDecodeBatch(new Decoder(batch)));
    const service = decodedInAService(made.map((batch) => batch.toString('hex')));
    assert.equal(service.ours, true);
    assert.deepEqual(service.warnings, []);
    assert.deepStrictEqual(service.batches, JSON.parse(JSON.stringify(expected)));
    const [, , control] = expected as Array<{ records: DecodedRecord[] }>;
    assert.equal(control.records[0].isControlRecord, true);
    assert.equal(control.records[5].timestamp, '1770146800600');
  });
});
