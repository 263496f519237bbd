import type { KafkaMessage } from 'kafkajs';
import { decodeJson, SCHEMAS, webhookEventSchema, type WebhookEvent } from '@hookpost/contracts';
import { redactEventData, redactionRequired, type ConfigState } from '@hookpost/domain';
import { jsonMessage, rejectedRecord, type OutgoingRecord, type TransformContext } from '@hookpost/kafka';
import { traceHeadersOf } from '@hookpost/telemetry';

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

export function redactMessage(
  state: ConfigState,
  message: KafkaMessage,
  ctx: TransformContext,
  topics: RedactionTopics,
): OutgoingRecord[] {
  const decoded = decodeJson(webhookEventSchema, message.value);
  if (!decoded.ok) return [rejectedRecord(topics.rejected, message, ctx, decoded.reason)];
  const event = redactEvent(decoded.value, state);
  return [
    {
      topic: topics.redacted,
      message: jsonMessage(event.domain, event, SCHEMAS.webhookEvent, traceHeadersOf(message.headers)),
    },
  ];
}
