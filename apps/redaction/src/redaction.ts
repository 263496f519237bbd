import type { KafkaMessage } from 'kafkajs';
import { decodeWebhookEvent, readEventRecord, withEventData, type WebhookEvent } from '@hookpost/contracts';
import { redactEventData, redactionRequired, type ConfigState } from '@hookpost/domain';
import { rejectedRecord, type OutgoingRecord, type TransformContext } from '@hookpost/kafka';

export interface RedactionTopics {
  redacted: string;
  rejected: string;
}

/**
 * Applies the PII policy of the event's domain/account; after this nothing downstream holds the values.
 * A domain or account the view does not hold is redacted (fails closed, `redactionRequired`).
 */
export function redactEvent(event: WebhookEvent, state: ConfigState): WebhookEvent {
  if (!redactionRequired(state, event.domain)) return event;
  return { ...event, redacted: true, event_data: redactEventData(event.webhook, event.event_data) };
}

/**
 * One webhook event -> the same event under its PII policy. Only an event whose policy redacts is
 * parsed; any other goes on as the bytes it came in, its headers (envelope, trace context) unchanged.
 */
export function redactMessage(
  state: ConfigState,
  message: KafkaMessage,
  ctx: TransformContext,
  topics: RedactionTopics,
): OutgoingRecord[] {
  const record = readEventRecord(message);
  if (!record.ok) return [rejectedRecord(topics.rejected, message, ctx, record.reason)];
  const { envelope, data } = record.value;
  if (envelope.redacted || !redactionRequired(state, envelope.domain)) {
    return [{ topic: topics.redacted, message: withEventData(message, envelope, data) }];
  }
  const decoded = decodeWebhookEvent(message);
  if (!decoded.ok) return [rejectedRecord(topics.rejected, message, ctx, decoded.reason)];
  const event = redactEvent(decoded.value, state);
  const { event_data, ...redacted } = event;
  return [
    {
      topic: topics.redacted,
      message: withEventData(message, redacted, JSON.stringify(event_data)),
    },
  ];
}
