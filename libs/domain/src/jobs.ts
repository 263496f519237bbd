/**
 * The delivery jobs of the lifecycle, for every trigger: the first attempt of each URL an event goes to
 * (`initial`), the next attempt of a failed delivery (`retry`), and a final failure sent again from the
 * failure log (`manual`). A job keeps its delivery id across its attempts; its attempt number makes each
 * attempt's id.
 */
import { deliveryId, type DeliveryJob, type DeliveryJobHead, type EventEnvelope } from '@hookpost/contracts';
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

/**
 * The next attempt of a failed delivery, as decideRetry chose it: the job as it was attempted (the event
 * data under the PII policy of that attempt), with the next attempt number, trigger `retry`, due at its
 * step's time.
 */
export function retryJob(previous: DeliveryJob, next: { nextAttempt: number; dueAt: number }): DeliveryJob {
  return { ...previous, attempt: next.nextAttempt, trigger: 'retry', due_at: next.dueAt };
}

// Resending failed deliveries (beyond Mailgun): which deliveries of an event go back on
// `webhook.deliveries`, as which attempt.

/** The latest failure-log row of one delivery (its highest attempt); final rows carry their job. */
export interface LatestFailure {
  delivery_id: string;
  url: string;
  attempt: number;
  final: boolean;
  job: DeliveryJob | null;
}

export interface ResendPlan {
  /** Jobs to produce: trigger `manual`, attempt = the delivery's highest attempt + 1, due now. */
  jobs: DeliveryJob[];
  /** Deliveries left alone: a retry or an earlier resend is still under way, or it was delivered since. */
  busy: string[];
}

/**
 * A delivery is resent only once its failure is final (rejected, or dropped when the retry schedule was
 * used up) and no earlier resend of it is still unaccounted for (`resentUpTo`: the highest attempt a
 * resend issued for it). Otherwise another attempt with the same number is, or may be, under way (a
 * pending retry, the earlier resend or its retries) or the delivery succeeded after its last failure,
 * and a resend would reuse that attempt's id.
 */
export function planResend(
  latest: readonly LatestFailure[],
  resentUpTo: ReadonlyMap<string, number>,
  nowMs: number,
): ResendPlan {
  const plan: ResendPlan = { jobs: [], busy: [] };
  for (const delivery of latest) {
    const resent = resentUpTo.get(delivery.delivery_id) ?? 0;
    if (!delivery.final || delivery.job === null || delivery.attempt < resent) {
      plan.busy.push(delivery.delivery_id);
      continue;
    }
    plan.jobs.push({
      ...delivery.job,
      delivery_id: delivery.delivery_id,
      url: delivery.url,
      attempt: delivery.attempt + 1,
      trigger: 'manual',
      due_at: nowMs,
    });
  }
  return plan;
}
