import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { groupName, retryTopicBase, TOPICS, topicName } from '@hookpost/contracts';
import { delayLabels } from '@hookpost/domain';
import {
  BACKGROUND_FETCH,
  BatchingProducer,
  DelayConsumer,
  KafkaModule,
  kafkaSecurity,
  TransformConsumer,
} from '@hookpost/kafka';
import { ENV, LOGGER, withHealth, type ReadinessCheck } from '@hookpost/runtime';
import { reportRetryBacklog } from '@hookpost/telemetry';
import { releaseDueJob } from './due-jobs';
import type { RetryEnv } from './env';
import { routeAttempt } from './retry-router';

/** Retries on timestamped delay topics: waiting jobs live only in Kafka. */
@Injectable()
export class RetryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly router: TransformConsumer;
  private readonly delays: DelayConsumer;

  constructor(
    @Inject(Kafka) kafka: Kafka,
    @Inject(BatchingProducer) producer: BatchingProducer,
    @Inject(ENV) env: RetryEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const prefix = env.KAFKA_TOPIC_PREFIX;
    const t = (base: string) => topicName(prefix, base);
    const routing = {
      prefix,
      schedule: env.RETRY_SCHEDULE,
      excludedEvents: env.RETRY_EXCLUDED_EVENTS,
      attemptsTopic: t(TOPICS.deliveryAttempts),
      deadTopic: t(TOPICS.deliveriesDead),
      rejectedTopic: t(TOPICS.mailEventsRejected),
    };
    this.router = new TransformConsumer({
      kafka,
      producer,
      groupId: groupName(prefix, 'hookpost-retry'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topic: t(TOPICS.deliveryAttempts),
      transform: (message, ctx) => routeAttempt(message, ctx, routing),
      logger,
      // Off produce-to-POST: a failed attempt's retry is due later (10 min on Mailgun's schedule).
      fetch: BACKGROUND_FETCH,
    });
    const due = { deliveries: t(TOPICS.deliveries), rejected: t(TOPICS.mailEventsRejected) };
    this.delays = new DelayConsumer({
      kafka,
      producer,
      groupId: groupName(prefix, 'hookpost-retry-delay'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topics: delayLabels(env.RETRY_SCHEDULE).map((label) => t(retryTopicBase(label))),
      release: (message, ctx, now) => releaseDueJob(message, ctx, due, now),
      onWaiting: reportRetryBacklog,
      logger,
    });
  }

  onApplicationBootstrap() {
    void Promise.all([this.router.start(), this.delays.start()]).catch((err) => {
      this.logger.fatal({ err }, 'retry failed to start');
      process.exit(1);
    });
  }

  async beforeApplicationShutdown() {
    await Promise.all([this.router.stop(), this.delays.stop()]);
  }

  readiness(): ReadinessCheck[] {
    return [
      { name: 'attempts_consumer', check: () => ({ ok: this.router.isRunning }) },
      { name: 'delay_consumer', check: () => ({ ok: this.delays.isRunning }) },
    ];
  }
}

@Module({})
export class RetryModule {
  static forRoot(env: RetryEnv, logger: Logger): DynamicModule {
    return withHealth(
      {
        module: RetryModule,
        imports: [
          KafkaModule.forRoot({
            brokers: env.KAFKA_BROKERS,
            security: kafkaSecurity(env),
            compression: env.KAFKA_COMPRESSION,
            clientId: 'hookpost-retry',
            logger,
          }),
        ],
        providers: [{ provide: ENV, useValue: env }, { provide: LOGGER, useValue: logger }, RetryService],
      },
      { inject: [RetryService], useFactory: (service: RetryService) => service.readiness() },
    );
  }
}
