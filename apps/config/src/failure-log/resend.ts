/**
 * Resending failed deliveries (beyond Mailgun): which deliveries of an event go back on
 * `webhook.deliveries`, as which attempt. Pure.
 */
import type { DeliveryJob } from '@hookpost/contracts';

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
