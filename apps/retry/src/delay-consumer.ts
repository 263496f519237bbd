import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeJson, deliveryJobSchema, SCHEMAS } from '@hookpost/contracts';
import {
  jsonMessage,
  onConsumerDeath,
  rejectedRecord,
  type BatchingProducer,
  type OutgoingRecord,
} from '@hookpost/kafka';
import { reportLag, reportRetryBacklog, traceHeadersOf, withProcessSpanSync } from '@hookpost/telemetry';

export interface DelayTopics {
  delayTopics: string[];
  deliveries: string;
  rejected: string;
}

/**
 * Reads the delay topics. Messages of a partition are in due order (same delay, appended in time), so
 * when the head is not due the partition is paused until it is: no sleeping in a handler, heartbeats
 * keep flowing. Due jobs go back to `webhook.deliveries`; offsets commit after they are acknowledged.
 */
export class DelayConsumer {
  private readonly consumer: Consumer;
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;

  constructor(
    kafka: Kafka,
    private readonly groupId: string,
    private readonly producer: BatchingProducer,
    private readonly topics: DelayTopics,
    private readonly logger: Logger,
    sessionTimeoutMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {
    this.consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.floor(sessionTimeoutMs / 10),
      maxWaitTimeInMs: 100,
    });
    onConsumerDeath(this.consumer, logger, () => (this.running = false));
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics.delayTopics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat, pause, isRunning, isStale }) => {
        const out: OutgoingRecord[] = [];
        let lastDone: string | null = null;
        let notDue: { offset: string; dueAt: number } | null = null;
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          const decoded = decodeJson(deliveryJobSchema, message.value);
          if (!decoded.ok) {
            out.push(rejectedRecord(this.topics.rejected, message, batch, decoded.reason));
          } else if (decoded.value.due_at > this.now()) {
            notDue = { offset: message.offset, dueAt: decoded.value.due_at };
            break;
          } else {
            const job = decoded.value;
            const consumed = {
              ...batch,
              offset: message.offset,
              headers: message.headers,
              groupId: this.groupId,
            };
            // The due job goes back to dispatch inside its own span, in the trace of its mail event.
            withProcessSpanSync(consumed, () =>
              out.push({
                topic: this.topics.deliveries,
                message: jsonMessage(
                  job.delivery_id,
                  job,
                  SCHEMAS.deliveryJob,
                  traceHeadersOf(message.headers),
                ),
              }),
            );
          }
          lastDone = message.offset;
        }
        await this.producer.send(out);
        if (lastDone !== null) {
          resolveOffset(lastDone);
          await this.consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(lastDone) + 1n).toString() },
          ]);
        }
        const next = notDue ? Number(notDue.offset) : lastDone !== null ? Number(lastDone) + 1 : null;
        if (next !== null) {
          const waiting = Number(batch.highWatermark) - next;
          reportLag(this.groupId, batch.topic, batch.partition, waiting);
          reportRetryBacklog(batch.topic, batch.partition, waiting);
        }
        if (notDue) {
          this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: notDue.offset });
          const resume = pause();
          this.logger.debug(
            { topic: batch.topic, partition: batch.partition, due_at: notDue.dueAt },
            'paused until due',
          );
          const timer = setTimeout(
            () => {
              this.timers.delete(timer);
              resume();
            },
            Math.max(0, notDue.dueAt - this.now()),
          );
          this.timers.add(timer);
        }
        await heartbeat();
      },
    });
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    await this.consumer.disconnect();
  }
}
