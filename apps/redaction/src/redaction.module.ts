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
import { TOPICS, type KafkaNames } from '@hookpost/contracts';
import { BatchingProducer, ConfigView, TransformConsumer } from '@hookpost/kafka';
import { ENV, LOGGER, NAMES, serviceModule, startInBackground, type ReadinessCheck } from '@hookpost/runtime';
import type { RedactionEnv } from './env';
import { redactMessage } from './redaction';

/** Starts consuming only once the config view has caught up: an event is never passed on unredacted by lag. */
@Injectable()
export class RedactionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly view: ConfigView;
  private readonly consumer: TransformConsumer;

  constructor(
    @Inject(Kafka) kafka: Kafka,
    @Inject(BatchingProducer) producer: BatchingProducer,
    @Inject(ENV) env: RedactionEnv,
    @Inject(NAMES) { topic, group }: KafkaNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const topics = {
      redacted: topic(TOPICS.webhookEventsRedacted),
      rejected: topic(TOPICS.mailEventsRejected),
    };
    this.view = new ConfigView(kafka, topic(TOPICS.config), 'hookpost-redaction', logger);
    this.consumer = new TransformConsumer({
      kafka,
      producer,
      groupId: group('hookpost-redaction'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topic: topic(TOPICS.webhookEvents),
      transform: (message, ctx) => redactMessage(this.view.state, message, ctx, topics),
      logger,
    });
  }

  onApplicationBootstrap() {
    startInBackground(this.logger, () => this.start());
  }

  private async start() {
    await this.view.start();
    await this.view.waitCaughtUp();
    await this.consumer.start();
  }

  async beforeApplicationShutdown() {
    await this.consumer.stop();
    await this.view.stop();
  }

  readiness(): ReadinessCheck[] {
    return [
      {
        name: 'config_view',
        check: () => ({ ok: this.view.caughtUp, details: { offsets: this.view.appliedOffsets } }),
      },
      { name: 'consumer', check: () => ({ ok: this.consumer.isRunning }) },
    ];
  }
}

@Module({})
export class RedactionModule {
  static forRoot(env: RedactionEnv, logger: Logger): DynamicModule {
    return serviceModule(RedactionModule, 'redaction', env, logger, {
      providers: [RedactionService],
      readiness: {
        inject: [RedactionService],
        useFactory: (service: RedactionService) => service.readiness(),
      },
    });
  }
}
