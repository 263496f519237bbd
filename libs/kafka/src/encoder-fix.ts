import Encoder from 'kafkajs/src/protocol/encoder';

/**
 * kafkajs 2.2.4 encodes each produced record with garbage several times its size: every varint goes
 * through a JS array and a Buffer of its own (`writeUVarInt`, `writeVarLong` with 64-bit `Long` objects),
 * and each record and each of its headers gets an `Encoder` of its own, a zero-filled 512-byte buffer
 * apiece that the record's then grows by doubling. For a 2.4 KiB record with ten headers that was ~40
 * short-lived objects and ~10 KiB of buffers, a third of all the bytes ingest allocated (sampling heap
 * profiler, pipeline bench), and every one of those buffers is a separate allocation outside the heap.
 * Here the same bytes are written straight into the encoder's buffer, and a record into one buffer of
 * its exact size. The output is byte for byte kafkajs' own (encoder-fix.spec.ts checks it against
 * kafkajs' functions).
 */

const MOST_SIGNIFICANT_BIT = 0x80;
const OTHER_BITS = 0x7f;
const UNSIGNED_INT32_MAX_NUMBER = 0xffffff80;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** `value` as kafkajs writes an unsigned varint (a uint32, or an int32 taken as its bits). */
function writeUVarInt(this: Encoder, value: number): Encoder {
  this.ensureAvailable(5);
  const buf = this.buf;
  let offset = this.offset;
  while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
    buf[offset++] = (value & OTHER_BITS) | MOST_SIGNIFICANT_BIT;
    value >>>= 7;
  }
  buf[offset++] = value & OTHER_BITS;
  this.offset = offset;
  return this;
}

/** Whether a varlong's value fits the 32-bit path: its zigzag encoding is then the int32 one. */
const isInt32 = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;

/** The zigzag encoding of an int32, as an unsigned 32-bit number. */
const zigZag32 = (value: number): number => ((value << 1) ^ (value >> 31)) >>> 0;

function sizeOfUVarInt(value: number): number {
  let bytes = 1;
  while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
    bytes++;
    value >>>= 7;
  }
  return bytes;
}

const sizeOfVarLong = (value: unknown): number =>
  isInt32(value) ? sizeOfUVarInt(zigZag32(value)) : Encoder.sizeOfVarLong(value);

let originalWriteVarLong: ((this: Encoder, value: unknown) => Encoder) | null = null;

/** A varlong: the 32-bit path for values that fit (record timestamp deltas do), kafkajs' own otherwise. */
function writeVarLong(this: Encoder, value: unknown): Encoder {
  if (isInt32(value)) return writeUVarInt.call(this, zigZag32(value));
  return (originalWriteVarLong as (this: Encoder, value: unknown) => Encoder).call(this, value);
}

type HeaderValue = Buffer | string | null;
type Headers = Record<string, HeaderValue | HeaderValue[] | undefined>;
export interface RecordFields {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Headers;
}

const byteLength = (value: Buffer | string): number =>
  typeof value === 'string' ? Buffer.byteLength(value) : value.length;

/** kafkajs' `Encoder.sizeOfVarIntBytes`, for a key, a value or a header's value. */
function sizeOfVarIntBytes(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 1; // varint -1
  const size = Buffer.isBuffer(value) ? value.length : byteLength(String(value));
  return Encoder.sizeOfVarInt(size) + size;
}

/**
 * One record (Kafka's record v0: length, attributes, timestamp delta, offset delta, key, value, headers)
 * as kafkajs' `recordBatch/record/v0` encodes it, written into one buffer of its exact size.
 */
export function encodeRecord({
  offsetDelta = 0,
  timestampDelta = 0,
  key,
  value,
  headers = {},
}: RecordFields): Encoder {
  let count = 0;
  let headersSize = 0;
  const names = Object.keys(headers);
  for (const name of names) {
    const all = headers[name];
    const nameSize = Buffer.byteLength(name);
    for (const one of Array.isArray(all) ? all : [all]) {
      count++;
      headersSize += Encoder.sizeOfVarInt(nameSize) + nameSize + sizeOfVarIntBytes(one);
    }
  }
  const body =
    1 + // attributes
    sizeOfVarLong(timestampDelta) +
    Encoder.sizeOfVarInt(offsetDelta) +
    sizeOfVarIntBytes(key) +
    sizeOfVarIntBytes(value) +
    Encoder.sizeOfVarInt(count) +
    headersSize;
  const encoder = new Encoder(1);
  // Pooled and not zero-filled: every byte up to `offset` is written below, and only those are read.
  encoder.buf = Buffer.allocUnsafe(Encoder.sizeOfVarInt(body) + body);
  encoder
    .writeVarInt(body)
    .writeInt8(0) // no record attributes are used
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarInt(count);
  for (const name of names) {
    const all = headers[name];
    for (const one of Array.isArray(all) ? all : [all]) {
      encoder.writeVarIntString(name).writeVarIntBytes(one);
    }
  }
  return encoder;
}

const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0';
let applied = false;

/**
 * Makes kafkajs encode records with `encodeRecord` and write varints without garbage, once per process.
 * Must run before the first produce: kafkajs loads its produce request (which takes the record encoder)
 * on first use, so the record module's export is replaced in the require cache before that.
 */
export function fixRecordEncoding(): void {
  if (applied) return;
  applied = true;
  originalWriteVarLong = Encoder.prototype.writeVarLong;
  Encoder.prototype.writeUVarInt = writeUVarInt;
  Encoder.prototype.writeVarLong = writeVarLong;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(RECORD_MODULE);
  const cached = require.cache[require.resolve(RECORD_MODULE)];
  if (cached) cached.exports = encodeRecord;
}
