import type Decoder from 'kafkajs/src/protocol/decoder';
import Long from 'kafkajs/src/utils/long';
import { provideModule } from './provide-module';

/** What kafkajs' batch decoder (kafkajs/src/protocol/recordBatch/v0/decoder) gives each record's decoder. */
export interface BatchContext {
  firstOffset?: string | number;
  firstTimestamp?: string | number;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
  [field: string]: unknown;
}

export type HeaderValue = Buffer | null;

/** A record as kafkajs 2.2.4 decodes it, keys in its order. */
export interface DecodedRecord {
  magicByte: number | undefined;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, HeaderValue | unknown[]>;
  isControlRecord: boolean;
  batchContext: BatchContext;
}

/** kafkajs/src/protocol/timestampTypes */
const LOG_APPEND_TIME = 1;
const CONTINUATION = 0x80;
const LOW_SEVEN_BITS = 0x7f;
/** Bytes of a varlong read as a number: 49 bits, well inside the safe integers. */
const SMALL_VARLONG_BYTES = 7;

/** A safe integer as a number, NaN for anything else (kafkajs' Long is used for those). */
function safeInteger(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : NaN;
  if (typeof value !== 'string') return NaN;
  const parsed = Number(value);
  // Only the decimal form BigInt(value).toString() gives back: not '0x10', ' 7', '1e3' or '-0'.
  return Number.isSafeInteger(parsed) && String(parsed) === value ? parsed : NaN;
}

// The batch's first offset and timestamp as numbers, parsed once per batch: every record of a batch gets
// the same context, so the same two strings. Keyed by the value, not the context object, so that a context
// changed in place is never read stale.
const NONE: unknown = Symbol('none');
let offsetOf: unknown = NONE;
let offsetNumber = NaN;
let timestampOf: unknown = NONE;
let timestampNumber = NaN;

/**
 * A zig-zag varlong of up to 7 bytes (the timestamp delta of a record: milliseconds from the batch's
 * first) as a number, without kafkajs' Long (a BigInt per byte, a shift and an add, then three more for the
 * zig-zag); NaN, the decoder left where it was, for a longer one. Bytes past the end read as 0, as kafkajs'.
 */
function readSmallVarLong(decoder: Decoder): number {
  const buffer = decoder.buffer;
  let offset = decoder.offset;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < SMALL_VARLONG_BYTES; i++) {
    const byte = buffer[offset++];
    result += (byte & LOW_SEVEN_BITS) * scale;
    if (!(byte >= CONTINUATION)) {
      decoder.offset = offset;
      return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    }
    scale *= 128;
  }
  return NaN;
}

// The names of the headers last decoded, by position, and their bytes: a service's records carry the same
// headers in the same order, so most names are compared, not decoded (a string each, which every property
// access with it then has to look up in V8's string table: half of the decoder's time without this).
const CACHED_HEADERS = 32;
const CACHED_NAME_BYTES = 128;
const cachedBytes: Uint8Array[] = [];
const cachedNames: string[] = [];

/**
 * The name of the header at `position`, what kafkajs' `readVarIntString` reads (a null one, length -1, as
 * the property name 'null', as kafkajs' `obj[null]`), the same string as last time when its bytes are.
 */
function readHeaderName(decoder: Decoder, position: number): string {
  const length = decoder.readVarInt();
  if (length === -1) return 'null';
  const buffer = decoder.buffer;
  const start = decoder.offset;
  decoder.offset = start + length;
  const end = Math.min(start + length, buffer.length); // as kafkajs' `slice` (a negative length: '')
  const size = end - start;
  if (size <= 0) return '';
  if (position >= CACHED_HEADERS || size > CACHED_NAME_BYTES) return buffer.toString('utf8', start, end);
  const bytes = cachedBytes[position];
  if (bytes !== undefined && bytes.length === size) {
    let i = 0;
    while (i < size && bytes[i] === buffer[start + i]) i++;
    if (i === size) return cachedNames[position];
  }
  const name = buffer.toString('utf8', start, end);
  cachedBytes[position] = Uint8Array.prototype.slice.call(buffer, start, end); // a copy
  cachedNames[position] = name;
  return name;
}

/**
 * Adds a header as kafkajs' reduce does: the values of a repeated name become an array, in order. Read
 * through the prototype, as kafkajs' `obj[key]` is (a header named `constructor` gives `[Object, value]`
 * there too: the output is kafkajs', quirks included).
 */
function addHeader(headers: Record<string, unknown>, name: string, value: HeaderValue): void {
  const current = headers[name];
  const next =
    current === undefined ? value : Array.isArray(current) ? current.concat([value]) : [current, value];
  if (name === '__proto__') {
    // kafkajs' spread makes it an own property; an assignment would set the prototype.
    Object.defineProperty(headers, name, {
      value: next,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    headers[name] = next;
  }
}

/**
 * One record of a record batch (Kafka's v2 format), exactly what kafkajs 2.2.4's record decoder gives, but
 * cheap: offset and timestamp added as numbers when they are safe integers (kafkajs builds two Longs from
 * strings per record and reads the timestamp delta with Long arithmetic), the headers in one object (kafkajs
 * spreads the object for every header, quadratic in their count). kafkajs' Long still does what does not fit.
 * Measured on 200-record batches of 2.4 KiB records with nine headers: through kafkajs' batch decoder,
 * 4.2-4.6 µs of CPU per record with kafkajs' record decoder, 1.1-1.2 with this; the record decoder alone,
 * 4.0-4.3 µs before, 2.0-2.3 with numbers and one headers object, 1.05 with the names compared.
 */
export function decodeRecord(decoder: Decoder, batchContext: BatchContext = {}): DecodedRecord {
  const {
    firstOffset,
    firstTimestamp,
    magicByte,
    isControlBatch = false,
    timestampType,
    maxTimestamp,
  } = batchContext;
  const attributes = decoder.readInt8();

  const timestampDelta = readSmallVarLong(decoder);
  const longDelta = Number.isNaN(timestampDelta) ? decoder.readVarLong() : null;
  let timestamp: string;
  if (timestampType === LOG_APPEND_TIME && maxTimestamp) {
    timestamp = maxTimestamp;
  } else {
    if (firstTimestamp !== timestampOf) {
      timestampOf = firstTimestamp;
      timestampNumber = safeInteger(firstTimestamp);
    }
    const sum = timestampNumber + timestampDelta;
    timestamp = Number.isSafeInteger(sum)
      ? String(sum)
      : Long.fromValue(firstTimestamp as string)
          .add(longDelta ?? timestampDelta)
          .toString();
  }

  const offsetDelta = decoder.readVarInt();
  if (firstOffset !== offsetOf) {
    offsetOf = firstOffset;
    offsetNumber = safeInteger(firstOffset);
  }
  const sum = offsetNumber + offsetDelta;
  const offset = Number.isSafeInteger(sum)
    ? String(sum)
    : Long.fromValue(firstOffset as string)
        .add(offsetDelta)
        .toString();

  const key = decoder.readVarIntBytes();
  const value = decoder.readVarIntBytes();

  const headers: Record<string, HeaderValue | unknown[]> = {};
  const count = decoder.readVarInt();
  if (count < -1) throw new RangeError('Invalid array length'); // kafkajs' `new Array(count)`
  for (let i = 0; i < count; i++) {
    addHeader(headers, readHeaderName(decoder, i), decoder.readVarIntBytes());
  }

  return {
    magicByte,
    attributes, // unused by Kafka, as in kafkajs
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: isControlBatch,
    batchContext,
  };
}

let applied: boolean | null = null;

/**
 * Puts `decodeRecord` in place of kafkajs' record decoder, once per process. kafkajs loads its batch
 * decoder, which requires the record decoder, at the first fetch (not on `require('kafkajs')`), so this
 * must run before (createKafka calls it); false, nothing changed, when it was loaded already.
 */
export function fixRecordDecoding(): boolean {
  if (applied !== null) return applied;
  if (require.cache[require.resolve('kafkajs/src/protocol/recordBatch/v0/decoder')]) return (applied = false);
  applied = provideModule('kafkajs/src/protocol/recordBatch/record/v0/decoder', decodeRecord);
  return applied;
}
