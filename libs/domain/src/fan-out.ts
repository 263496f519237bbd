import { deliveryId, type DeliveryJob, type WebhookEvent } from '@hookpost/contracts';
import type { ConfigState } from './config-state';
import { resolveOwnedEndpoints } from './resolve';

/** One delivery job per URL the event goes to (possibly none). */
export function deliveryJobsFor(state: ConfigState, event: WebhookEvent, nowMs: number): DeliveryJob[] {
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
    event_data: event.event_data,
    webhook_account_id: endpoint.account_id,
  }));
}
