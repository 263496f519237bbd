import { deliveryId, type DeliveryJobHead, type EventEnvelope } from '@hookpost/contracts';
import type { ConfigState } from './config-state';
import { resolveOwnedEndpoints } from './resolve';

/**
 * The first attempt of each URL the event goes to (possibly none), without the event data: fan-out
 * dispatches them at once, and only a failure's attempt event carries the job with its data.
 */
export function deliveryHeadsFor(
  state: ConfigState,
  event: Pick<EventEnvelope, 'event_id' | 'webhook' | 'domain' | 'message_id'>,
  nowMs: number,
): DeliveryJobHead[] {
  return resolveOwnedEndpoints(state, event.domain, event.webhook).map((endpoint) => ({
    delivery_id: deliveryId(event.event_id, endpoint.url),
    event_id: event.event_id,
    webhook: event.webhook,
    domain: event.domain,
    message_id: event.message_id,
    url: endpoint.url,
    level: endpoint.level,
    attempt: 1,
    trigger: 'initial',
    created_at: nowMs,
    due_at: nowMs,
    webhook_account_id: endpoint.account_id,
  }));
}
