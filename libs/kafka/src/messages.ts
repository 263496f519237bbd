import type { KafkaMessage, Message } from 'kafkajs';
import { HEADERS, SCHEMAS } from '@hookpost/contracts';
import { traceHeadersOf } from '@hookpost/telemetry';
import type { OutgoingRecord } from './producer';

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
 * as the bytes it arrived in): spliced in rather than parsed and stringified again.
 */
export function jsonMessageWith(
  key: string | null,
  value: Record<string, unknown>,
  field: string,
  rawJson: string,
  schema: string,
  traceHeaders: Record<string, string>,
): Message {
  const head = JSON.stringify(value);
  const body =
    head === '{}'
      ? `{${JSON.stringify(field)}:${rawJson}}`
      : `${head.slice(0, -1)},${JSON.stringify(field)}:${rawJson}}`;
  return { key, value: body, headers: { ...traceHeaders, [HEADERS.schema]: schema } };
}

/**
 * Input that is not a valid message goes to a rejected topic with its original bytes, the reason and
 * where it came from: never dropped silently.
 */
export function rejectedRecord(
  topic: string,
  message: KafkaMessage,
  source: { topic: string; partition: number },
  reason: string,
): OutgoingRecord {
  return {
    topic,
    message: {
      key: message.key,
      value: message.value,
      headers: {
        ...traceHeadersOf(message.headers),
        [HEADERS.schema]: SCHEMAS.rejectedMailEvent,
        [HEADERS.rejectReason]: reason.slice(0, 2000),
        [HEADERS.sourceTopic]: source.topic,
        [HEADERS.sourcePartition]: String(source.partition),
        [HEADERS.sourceOffset]: message.offset,
      },
    },
  };
}
