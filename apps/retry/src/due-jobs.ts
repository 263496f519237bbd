import type { KafkaMessage } from 'kafkajs';
import { decodeJson, deliveryJobSchema, SCHEMAS } from '@hookpost/contracts';
import { jsonMessage, rejectedRecord, type Release, type TransformContext } from '@hookpost/kafka';
import { traceHeadersOf } from '@hookpost/telemetry';

export interface DueJobTopics {
  deliveries: string;
  rejected: string;
}

/**
 * A job on a delay topic at `now`: waiting until its `due_at`, or due: back to `webhook.deliveries` as
 * it is, in the trace of its mail event. A record that is not a job goes to the rejected topic.
 */
export function releaseDueJob(
  message: KafkaMessage,
  ctx: TransformContext,
  topics: DueJobTopics,
  now: number,
): Release {
  const decoded = decodeJson(deliveryJobSchema, message.value);
  if (!decoded.ok) return { records: [rejectedRecord(topics.rejected, message, ctx, decoded.reason)] };
  const job = decoded.value;
  if (job.due_at > now) return { dueAt: job.due_at };
  return {
    records: [
      {
        topic: topics.deliveries,
        message: jsonMessage(job.delivery_id, job, SCHEMAS.deliveryJob, traceHeadersOf(message.headers)),
      },
    ],
  };
}
