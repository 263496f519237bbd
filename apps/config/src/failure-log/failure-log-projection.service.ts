import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { groupName, TOPICS, topicName } from '@hookpost/contracts';
import { BACKGROUND_FETCH, BatchingProducer, rejectedRecord } from '@hookpost/kafka';
import { ENV, LOGGER, type ReadinessCheck } from '@hookpost/runtime';
import type { FailureRow, ProjectedBatch } from '@hookpost/domain';
import type { ConfigEnv } from '../env';
import { AttemptsConsumer, tracedProjection } from './attempts-consumer';
import {
  FAILURE_LOG_GROUP,
  FAILURE_LOG_TABLE,
  isRowError,
  PROJECTION_LOCK,
  upsertRows,
} from './failure-log.store';

/**
 * The live failure-log projection: `webhook.delivery-attempts` -> `webhook_failures`, one upsert per
 * batch in a transaction that holds the projection lock shared (a rebuild takes it exclusively to swap
 * its table in), offsets committed after the transaction commits. A batch PostgreSQL refuses because of
 * its rows is written row by row; a record whose row still fails, or that no row could hold
 * (rowProblem), goes to `mail.events.rejected` with the reason, and the log moves on.
 */
@Injectable()
export class FailureLogProjection implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly stats = { batches: 0, attempts: 0, rows: 0 };
  private readonly consumer: AttemptsConsumer<ProjectedBatch>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(Kafka) kafka: Kafka,
    @Inject(ENV) env: ConfigEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(BatchingProducer) producer: BatchingProducer,
  ) {
    const rejectedTopic = topicName(env.KAFKA_TOPIC_PREFIX, TOPICS.mailEventsRejected);
    const groupId = groupName(env.KAFKA_TOPIC_PREFIX, FAILURE_LOG_GROUP);
    this.consumer = new AttemptsConsumer({
      kafka,
      groupId,
      topic: topicName(env.KAFKA_TOPIC_PREFIX, TOPICS.deliveryAttempts),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      logger: logger.child({ component: 'failure-log' }),
      fetch: BACKGROUND_FETCH,
      project: tracedProjection(groupId),
      write: ({ rows }) => this.write(rows),
      commit: true,
      rowByRow: {
        split: (batch) =>
          batch.rows.map((row) => ({
            part: { ...batch, rows: [row] },
            offset: batch.offsets.get(row.attempt_id) ?? '',
          })),
        isRowError,
        reject: (rejections, ctx) =>
          producer.send(
            rejections.map(({ message, reason }) => rejectedRecord(rejectedTopic, message, ctx, reason)),
          ),
      },
      onBatch: (_partition, _offset, batch) => {
        this.stats.batches++;
        this.stats.attempts += batch.attempts;
        this.stats.rows += batch.rows.length;
      },
    });
  }

  private write(rows: FailureRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock_shared($1)', [PROJECTION_LOCK]);
      await upsertRows((text, params) => m.query(text, params), FAILURE_LOG_TABLE, rows);
    });
  }

  onApplicationBootstrap() {
    void this.consumer.start().catch((err) => {
      this.logger.fatal({ err }, 'failure-log projection failed to start');
      process.exit(1);
    });
  }

  async beforeApplicationShutdown() {
    await this.consumer.stop();
  }

  readiness(): ReadinessCheck {
    return {
      name: 'failure_log',
      check: () => ({ ok: this.consumer.isRunning, details: { ...this.stats } }),
    };
  }
}
