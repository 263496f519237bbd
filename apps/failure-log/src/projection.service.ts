import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { groupName, TOPICS, topicName } from '@hookpost/contracts';
import { BACKGROUND_FETCH, BatchingProducer, rejectedRecord } from '@hookpost/kafka';
import { BatchConsumer } from '@hookpost/kafka/batch-consumer';
import { FAILURE_LOG_TABLE } from '@hookpost/persistence/failure-log';
import { ENV, LOGGER, type ReadinessCheck } from '@hookpost/runtime';
import type { FailureRow, ProjectedBatch } from '@hookpost/domain';
import type { FailureLogEnv } from './env';
import { projectionBatches, tracedProjection } from './projection';
import { FAILURE_LOG_GROUP, isRowError, PROJECTION_LOCK, upsertRows } from './store';

/** Partitions written at once by one replica (each write holds a connection of the pool). */
const PARTITIONS_AT_ONCE = 3;

/**
 * The live failure-log projection: `webhook.delivery-attempts` -> `webhook_failures`, one upsert per
 * batch in a transaction that holds the projection lock shared (a rebuild takes it exclusively to swap
 * its table in), offsets committed after the transaction commits. A batch PostgreSQL refuses because of
 * its rows is written row by row; a record whose row still fails, or that no row could hold
 * (rowProblem), goes to `mail.events.rejected` with the reason, and the log moves on.
 */
@Injectable()
export class FailureLogProjection
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  readonly stats = { batches: 0, attempts: 0, rows: 0 };
  private readonly consumer: BatchConsumer<ProjectedBatch>;
  private readonly pool: Pool;

  constructor(
    @Inject(Kafka) kafka: Kafka,
    @Inject(ENV) env: FailureLogEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(BatchingProducer) producer: BatchingProducer,
  ) {
    this.pool = new Pool({
      connectionString: env.DATABASE_URL,
      max: PARTITIONS_AT_ONCE + 1, // and one for the readiness check
      connectionTimeoutMillis: 5000,
    });
    // An idle connection PostgreSQL ends (a restart) is dropped from the pool; the next write opens another.
    this.pool.on('error', (err) => logger.warn({ err }, 'idle database connection lost'));
    const rejectedTopic = topicName(env.KAFKA_TOPIC_PREFIX, TOPICS.mailEventsRejected);
    const groupId = groupName(env.KAFKA_TOPIC_PREFIX, FAILURE_LOG_GROUP);
    const log = logger.child({ component: 'failure-log' });
    this.consumer = new BatchConsumer({
      kafka,
      groupId,
      topic: topicName(env.KAFKA_TOPIC_PREFIX, TOPICS.deliveryAttempts),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      logger: log,
      fetch: BACKGROUND_FETCH,
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      commit: true,
      ...projectionBatches<ProjectedBatch>(
        {
          project: tracedProjection(groupId),
          write: ({ rows }) => this.write(rows),
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
        },
        log,
      ),
      onBatch: (_partition, _offset, batch) => {
        this.stats.batches++;
        this.stats.attempts += batch.attempts;
        this.stats.rows += batch.rows.length;
      },
    });
  }

  /** One transaction: the projection lock shared, then the batch's upsert. */
  private async write(rows: FailureRow[]): Promise<void> {
    if (rows.length === 0) return;
    const client = await this.pool.connect();
    // A connection PostgreSQL ends between two statements says so by an 'error' event, not by a
    // statement's answer: unheard, it would end the process.
    let lost: Error | undefined;
    const onLost = (err: Error) => (lost = err);
    client.on('error', onLost);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock_shared($1)', [PROJECTION_LOCK]);
      await upsertRows(
        async (text, params) => (await client.query(text, params)).rows,
        FAILURE_LOG_TABLE,
        rows,
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => (lost ??= rollbackErr));
      throw err;
    } finally {
      client.off('error', onLost);
      client.release(lost); // a connection lost, or that could not roll back, is closed, not reused
    }
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

  async onApplicationShutdown() {
    await this.pool.end();
  }

  /** Ready: PostgreSQL answers, and the projection consumes. */
  readiness(): ReadinessCheck[] {
    return [
      {
        name: 'database',
        check: async () => {
          await this.pool.query('SELECT 1');
          return { ok: true };
        },
      },
      {
        name: 'failure_log',
        check: () => ({ ok: this.consumer.isRunning, details: { ...this.stats } }),
      },
    ];
  }
}
