import type { KafkaMessage } from 'kafkajs';
import { SCHEMAS } from '@hookpost/contracts';
import { normaliseMailEvent } from '@hookpost/domain';
import { jsonMessage, rejectedRecord, type OutgoingRecord, type TransformContext } from '@hookpost/kafka';
import { traceHeadersOf } from '@hookpost/telemetry';

export interface IngestTopics {
  events: string;
  rejected: string;
}

export interface IngestStats {
  accepted: number;
  rejected: number;
}

/** One `mail.events` message -> a normalised event on `webhook.events`, or the original bytes rejected. */
export function ingestMessage(
  message: KafkaMessage,
  ctx: TransformContext,
  topics: IngestTopics,
  stats: IngestStats,
  nowMs: number,
): OutgoingRecord[] {
  const result = normaliseMailEvent(message.value, nowMs);
  if (!result.ok) {
    stats.rejected++;
    return [rejectedRecord(topics.rejected, message, ctx, result.reason)];
  }
  stats.accepted++;
  const event = result.event;
  return [
    {
      topic: topics.events,
      message: jsonMessage(event.domain, event, SCHEMAS.webhookEvent, traceHeadersOf(message.headers)),
    },
  ];
}
