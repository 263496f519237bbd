import type { KafkaMessage } from 'kafkajs';
import { eventMessage, HEADERS } from '@hookpost/contracts';
import { normaliseMailEvent } from '@hookpost/domain';
import {
  recordBatchBytes,
  rejectedRecord,
  type OutgoingRecord,
  type TransformContext,
} from '@hookpost/kafka';
import { traceHeadersOf } from '@hookpost/telemetry';

export interface IngestTopics {
  events: string;
  rejected: string;
}

/** The `max.message.bytes` of each topic ingest writes, learned from the broker at start-up. */
export interface IngestLimits {
  events: number;
  rejected: number;
}

export interface IngestStats {
  accepted: number;
  rejected: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const TRACESTATE = /^[\x20-\x7e]{1,4096}$/;

/**
 * The W3C trace context of a mail event, if well-formed; a malformed one is dropped (W3C: start afresh).
 * Mail servers are outside Hookpost: their headers travel to every topic and onto the customers' POSTs,
 * where a value with a line break or a NUL byte made every delivery of the event fail.
 */
export function validTraceHeaders(headers: Record<string, string>): Record<string, string> {
  const parent = TRACEPARENT.exec(headers[HEADERS.traceparent] ?? '');
  if (!parent || parent[1] === 'ff' || /^0+$/.test(parent[2]) || /^0+$/.test(parent[3])) return {};
  const out: Record<string, string> = { [HEADERS.traceparent]: parent[0] };
  const state = headers[HEADERS.tracestate];
  if (state !== undefined && TRACESTATE.test(state)) out[HEADERS.tracestate] = state;
  return out;
}

/**
 * One `mail.events` message -> a normalised event on `webhook.events`, or the original bytes rejected.
 * Each record is checked against its topic's limit before it is produced: one the broker refuses would
 * stop ingest, which would read the same message again and stop again. A normalised record over it is
 * rejected; a rejected record over it keeps the first KiB of the original, its SHA-256 and size.
 */
export function ingestMessage(
  message: KafkaMessage,
  ctx: TransformContext,
  topics: IngestTopics,
  limits: IngestLimits,
  stats: IngestStats,
  nowMs: number,
): OutgoingRecord[] {
  const reject = (reason: string): OutgoingRecord[] => {
    stats.rejected++;
    return [rejectedRecord(topics.rejected, message, ctx, reason, limits.rejected)];
  };
  const result = normaliseMailEvent(message.value, nowMs);
  if (!result.ok) return reject(result.reason);
  const { event_data: _, ...envelope } = result.event;
  void _;
  // The one stage that reads untrusted input: from here on the envelope travels in headers and the event
  // data as these bytes, which no later stage parses unless it changes them.
  const normalised = eventMessage(
    envelope,
    result.eventDataJson,
    validTraceHeaders(traceHeadersOf(message.headers)),
  );
  const size = recordBatchBytes(normalised);
  if (size > limits.events) {
    return reject(
      `normalised record is ${size} bytes, over ${topics.events}'s max.message.bytes of ${limits.events}`,
    );
  }
  stats.accepted++;
  return [{ topic: topics.events, message: normalised }];
}
