import type { KafkaMessage } from 'kafkajs';
import { decodeWebhookEvent, SCHEMAS } from '@hookpost/contracts';
import { deliveryJobsFor, type ConfigState } from '@hookpost/domain';
import { jsonMessage, rejectedRecord, type OutgoingRecord, type TransformContext } from '@hookpost/kafka';
import { traceHeadersOf } from '@hookpost/telemetry';

export interface RouterTopics {
  deliveries: string;
  rejected: string;
}

export interface RouteStats {
  events: number;
  withoutWebhook: number;
  jobs: number;
}

/** A redacted event -> one delivery job per URL; an event with no webhook is counted, not an error. */
export function routeEvent(
  state: ConfigState,
  message: KafkaMessage,
  ctx: TransformContext,
  topics: RouterTopics,
  stats: RouteStats,
  nowMs: number,
): OutgoingRecord[] {
  const decoded = decodeWebhookEvent(message);
  if (!decoded.ok) return [rejectedRecord(topics.rejected, message, ctx, decoded.reason)];
  const trace = traceHeadersOf(message.headers);
  const jobs = deliveryJobsFor(state, decoded.value, nowMs);
  stats.events++;
  stats.jobs += jobs.length;
  if (jobs.length === 0) stats.withoutWebhook++;
  return jobs.map((job) => ({
    topic: topics.deliveries,
    message: jsonMessage(job.delivery_id, job, SCHEMAS.deliveryJob, trace),
  }));
}
