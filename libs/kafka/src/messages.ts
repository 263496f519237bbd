import { createHash } from 'node:crypto';
import type { KafkaMessage, Message } from 'kafkajs';
import { HEADERS, SCHEMAS, spliceJson } from '@hookpost/contracts';
import { traceHeadersOf } from '@hookpost/telemetry';
import { recordBatchBytes, type OutgoingRecord } from './producer';

/** A JSON message with its schema name and the trace context of what caused it. */
export function jsonMessage(
  key: string | null,
  value: unknown,
  schema: string,
  traceHeaders: Record<string, string>,
): Message {
  return {
    key,
    value: JSON.stringify(value),
    headers: { ...traceHeaders, [HEADERS.schema]: schema },
  };
}

/**
 * A JSON message whose `field` is already-serialised, validated JSON (e.g. the job an attempt repeats,
 * as the bytes it arrived in): spliced in rather than parsed and stringified again. The value is built
 * as one buffer, written part by part: a concatenated string would be flattened into a copy first.
 */
export function jsonMessageWith(
  key: string | null,
  value: Record<string, unknown>,
  field: string,
  rawJson: string | Buffer,
  schema: string,
  traceHeaders: Record<string, string>,
): Message {
  const body = spliceJson(value, field, rawJson).value;
  return { key, value: body, headers: { ...traceHeaders, [HEADERS.schema]: schema } };
}

/** What an oversize rejected record keeps of the original value (and of its key). */
export const REJECTED_KEPT_BYTES = 1024;
const MAX_REASON_CHARS = 2000;
/** Trace headers longer than this are not kept on an oversize rejected record (W3C: tracestate <= 512). */
const MAX_KEPT_TRACE_HEADER = 4096;

/**
 * Input that is not a valid message goes to a rejected topic with its original bytes, the reason and
 * where it came from: never dropped silently. When the record with the original would be over
 * `maxRecordBytes` (the rejected topic's max.message.bytes: a gzip batch from a mail server can unpack to
 * more than that), it keeps the headers, the first REJECTED_KEPT_BYTES of the value (and of the key), the
 * original's SHA-256 and size in bytes, and says so in the reason: a record the broker refuses would stop
 * the consumer on it for good.
 */
export function rejectedRecord(
  topic: string,
  message: KafkaMessage,
  source: { topic: string; partition: number },
  reason: string,
  maxRecordBytes = Number.POSITIVE_INFINITY,
): OutgoingRecord {
  const trace = traceHeadersOf(message.headers);
  const headers = (why: string, extra: Record<string, string> = {}) => ({
    [HEADERS.schema]: SCHEMAS.rejectedMailEvent,
    [HEADERS.rejectReason]: why.slice(0, MAX_REASON_CHARS),
    [HEADERS.sourceTopic]: source.topic,
    [HEADERS.sourcePartition]: String(source.partition),
    [HEADERS.sourceOffset]: message.offset,
    ...extra,
  });
  const whole: Message = {
    key: message.key,
    value: message.value,
    headers: { ...trace, ...headers(reason) },
  };
  const size = recordBatchBytes(whole);
  if (size <= maxRecordBytes) return { topic, message: whole };
  const value = message.value ?? Buffer.alloc(0);
  const keptTrace = Object.fromEntries(
    Object.entries(trace).filter(([, v]) => Buffer.byteLength(v) <= MAX_KEPT_TRACE_HEADER),
  );
  const note =
    `; the record with the original (${size} bytes) is over ${topic}'s limit of ${maxRecordBytes}: ` +
    `its first ${REJECTED_KEPT_BYTES} bytes are kept, with its SHA-256 and size`;
  return {
    topic,
    message: {
      key: message.key === null ? null : message.key.subarray(0, REJECTED_KEPT_BYTES),
      value: value.subarray(0, REJECTED_KEPT_BYTES),
      headers: {
        ...keptTrace,
        ...headers(reason.slice(0, MAX_REASON_CHARS - note.length) + note, {
          [HEADERS.originalSha256]: createHash('sha256').update(value).digest('hex'),
          [HEADERS.originalBytes]: String(value.length),
        }),
      },
    },
  };
}

const own = (bytes: Buffer | null): Buffer | null => (bytes === null ? null : Buffer.from(bytes));
const text = (value: Buffer | string): string => (Buffer.isBuffer(value) ? value.toString('utf8') : value);

/**
 * The message with its key and value copied out of the fetch response they are views of, and its header
 * values as text (UTF-8, as every reader of headers here takes them: `headerText`, the trace context). A
 * message kept while a slow handler runs would otherwise keep that whole response (up to a fetch's size)
 * alive: with many messages in flight, from many fetches, that is most of a process's memory. A header
 * as a string is also a fraction of a Buffer copy's size in the heap (fan-out holds thousands of messages
 * of ten headers each while their deliveries wait for a slot), and is not decoded again when read.
 */
export function detachMessage<M extends KafkaMessage>(message: M): M {
  const headers: NonNullable<KafkaMessage['headers']> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    headers[name] = Array.isArray(value) ? value.map(text) : value === undefined ? value : text(value);
  }
  return { ...message, key: own(message.key), value: own(message.value), headers } as M;
}
