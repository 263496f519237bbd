import type { WebhookEventType } from '@hookpost/contracts';
import { SEED_EVENTS, type JsonObject } from './mailgun-payloads';

/**
 * The event-data of a test send: Mailgun's sample payload of that event type, moved to the caller's
 * domain and to now, flagged as a system test. Id and time come in, so this stays pure.
 */
export function sampleEventData(
  type: WebhookEventType,
  domain: string,
  nowMs: number,
  id: string,
): JsonObject {
  const data = structuredClone(SEED_EVENTS[type]) as JsonObject & {
    domain?: { name?: string };
    flags?: Record<string, unknown>;
  };
  data.id = id;
  data.timestamp = Math.round(nowMs) / 1000;
  data.domain = { ...data.domain, name: domain };
  data.flags = { ...data.flags, 'is-system-test': true };
  return data;
}
