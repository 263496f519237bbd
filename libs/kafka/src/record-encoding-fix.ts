import { crc32c } from '@node-rs/crc32';
import Encoder from 'kafkajs/src/protocol/encoder';
import { provideModule } from './provide-module';

/** What kafkajs' record encoder takes (kafkajs/src/protocol/recordBatch/record/v0). */
export interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number | bigint | object;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, Buffer | string | null | undefined | Array<Buffer | string>>;
}

type HeaderValue = Buffer | string | null | undefined;

/**
 * One record of a record batch (Kafka's v2 format), byte for byte what kafkajs 2.2.4 writes: length,
 * attributes, timestamp delta, offset delta, key, value, headers. Written into one buffer of the exact
 * size: kafkajs' own encoder starts each record and each of its headers in a 512-byte zero-filled buffer
 * and grows the record's by doubling, copying as it goes (a 2.4 KiB record with nine headers: ~12 KiB
 * allocated and zeroed, the value copied three times), which made it the largest cost of a stage that
 * forwards records (see `fixRecordEncoding`).
 */
export function encodeRecord({
  offsetDelta = 0,
  timestampDelta = 0,
  key,
  value,
  headers = {},
}: RecordInput): Encoder {
  const names: string[] = [];
  const values: HeaderValue[] = [];
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (Array.isArray(v)) {
      for (const one of v) {
        names.push(name);
        values.push(one);
      }
    } else {
      names.push(name);
      values.push(v);
    }
  }
  let headersSize = Encoder.sizeOfVarInt(names.length);
  for (let i = 0; i < names.length; i++) {
    headersSize += Encoder.sizeOfVarIntBytes(names[i]) + sizeOfBytes(values[i]);
  }
  const bodySize =
    1 +
    Encoder.sizeOfVarLong(timestampDelta) +
    Encoder.sizeOfVarInt(offsetDelta) +
    sizeOfBytes(key) +
    sizeOfBytes(value) +
    headersSize;
  // An encoder of 1 byte, given the exact buffer: no write below grows it.
  const encoder = new Encoder(0);
  encoder.buf = Buffer.allocUnsafe(Encoder.sizeOfVarInt(bodySize) + bodySize);
  encoder.offset = 0;
  encoder
    .writeVarInt(bodySize)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarInt(names.length);
  for (let i = 0; i < names.length; i++) encoder.writeVarIntString(names[i]).writeVarIntBytes(values[i]);
  return encoder;
}

/** Bytes of a varint-length-prefixed value as `writeVarIntBytes` writes it (null and undefined: -1). */
function sizeOfBytes(value: HeaderValue): number {
  if (value === null || value === undefined) return Encoder.sizeOfVarInt(-1);
  const size = Buffer.isBuffer(value) ? value.length : Buffer.byteLength(String(value), 'utf8');
  return Encoder.sizeOfVarInt(size) + size;
}

const CONTINUATION = 0x80;
const LOW_SEVEN_BITS = 0x7f;
const ABOVE_SEVEN_BITS = 0xffffff80;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * An unsigned varint (a uint32, or an int32 taken as its bits), the bytes kafkajs writes, straight into
 * the encoder's buffer: kafkajs collects them in an array and copies it through a Buffer of its own, for
 * every varint of every record (sizes, deltas, each header's two lengths). From the memory work of [B].
 */
export function writeUVarInt(this: Encoder, value: number): Encoder {
  this.ensureAvailable(5);
  const buf = this.buf;
  let offset = this.offset;
  while ((value & ABOVE_SEVEN_BITS) !== 0) {
    buf[offset++] = (value & LOW_SEVEN_BITS) | CONTINUATION;
    value >>>= 7;
  }
  buf[offset++] = value & LOW_SEVEN_BITS;
  this.offset = offset;
  return this;
}

const kafkajsWriteVarLong = Encoder.prototype.writeVarLong;

/**
 * A zig-zag varlong; one that fits an int32 (a record's timestamp delta does) without kafkajs' 64-bit
 * BigInt arithmetic: its zig-zag encoding is then the 32-bit one, written as an unsigned varint.
 */
export function writeVarLong(this: Encoder, value: number | bigint | object): Encoder {
  if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
    return writeUVarInt.call(this, ((value << 1) ^ (value >> 31)) >>> 0);
  }
  return kafkajsWriteVarLong.call(this, value);
}

/** A buffer twice as large, not zero-filled: `Encoder.buffer` is `buf.slice(0, offset)`, never past it. */
function ensureAvailable(this: Encoder, length: number): void {
  if (this.offset + length <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
}

let applied: boolean | null = null;

/** The CRC-32C of a record batch, as kafkajs' (unsigned), computed natively (SSE 4.2 where there is). */
export function batchCrc32c(buffer: Buffer): number {
  return crc32c(buffer);
}

/**
 * Puts `encodeRecord` in place of kafkajs' record encoder and a native CRC-32C in place of its JavaScript
 * one (a third of the cost of encoding a batch), and has its encoders write varints without garbage and
 * grow into buffers that are not zero-filled, once per process. kafkajs loads its record-batch module when it first produces, so this
 * must run before (createKafka calls it); if it was loaded already, only the growth changes.
 * Measured on 200-record batches of 2.4 KiB records with nine headers: 27-31 µs of CPU per record before,
 * 17 after the record encoder and growth, 8-10 with the native CRC, 6 with the varints.
 */
export function fixRecordEncoding(): boolean {
  if (applied !== null) return applied;
  Encoder.prototype.ensureAvailable = ensureAvailable;
  Encoder.prototype.writeUVarInt = writeUVarInt;
  Encoder.prototype.writeVarLong = writeVarLong;
  if (require.cache[require.resolve('kafkajs/src/protocol/recordBatch/v0')]) return (applied = false);
  applied =
    provideModule('kafkajs/src/protocol/recordBatch/record/v0', encodeRecord) &&
    provideModule('kafkajs/src/protocol/recordBatch/crc32C', batchCrc32c);
  return applied;
}
