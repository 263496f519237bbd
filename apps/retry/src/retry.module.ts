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
import { retryTopicBase, TOPICS, type KafkaNames } from '@hookpost/contracts';
import { delayLabels } from '@hookpost/domain';
import { BACKGROUND_FETCH, BatchingProducer, DelayConsumer, TransformConsumer } from '@hookpost/kafka';
import { ENV, LOGGER, NAMES, serviceModule, startInBackground, type ReadinessCheck } from '@hookpost/runtime';
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
    @Inject(NAMES) { topic, group }: KafkaNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const routing = {
      prefix: env.KAFKA_TOPIC_PREFIX,
      schedule: env.RETRY_SCHEDULE,
      excludedEvents: env.RETRY_EXCLUDED_EVENTS,
      attemptsTopic: topic(TOPICS.deliveryAttempts),
      deadTopic: topic(TOPICS.deliveriesDead),
      rejectedTopic: topic(TOPICS.mailEventsRejected),
    };
    this.router = new TransformConsumer({
      kafka,
      producer,
      groupId: group('hookpost-retry'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topic: topic(TOPICS.deliveryAttempts),
      transform: (message, ctx) => routeAttempt(message, ctx, routing),
      logger,
      // Off produce-to-POST: a failed attempt's retry is due later (10 min on Mailgun's schedule).
      fetch: BACKGROUND_FETCH,
    });
    const due = { deliveries: topic(TOPICS.deliveries), rejected: topic(TOPICS.mailEventsRejected) };
    this.delays = new DelayConsumer({
      kafka,
      producer,
      groupId: group('hookpost-retry-delay'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topics: delayLabels(env.RETRY_SCHEDULE).map((label) => topic(retryTopicBase(label))),
      release: (message, ctx, now) => releaseDueJob(message, ctx, due, now),
      onWaiting: reportRetryBacklog,
      logger,
    });
  }

  onApplicationBootstrap() {
    startInBackground(this.logger, () => Promise.all([this.router.start(), this.delays.start()]));
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
    return serviceModule(RetryModule, 'retry', env, logger, {
      providers: [RetryService],
      readiness: { inject: [RetryService], useFactory: (service: RetryService) => service.readiness() },
    });
  }
}
