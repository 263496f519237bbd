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
import { groupName, TOPICS, topicName } from '@hookpost/contracts';
import { BatchingProducer, ConfigView, KafkaModule, kafkaSecurity, TransformConsumer } from '@hookpost/kafka';
import { ENV, LOGGER, withHealth, type ReadinessCheck } from '@hookpost/runtime';
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
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const t = (base: string) => topicName(env.KAFKA_TOPIC_PREFIX, base);
    const topics = { redacted: t(TOPICS.webhookEventsRedacted), rejected: t(TOPICS.mailEventsRejected) };
    this.view = new ConfigView(kafka, t(TOPICS.config), 'hookpost-redaction', logger);
    this.consumer = new TransformConsumer({
      kafka,
      producer,
      groupId: groupName(env.KAFKA_TOPIC_PREFIX, 'hookpost-redaction'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topic: t(TOPICS.webhookEvents),
      transform: (message, ctx) => redactMessage(this.view.state, message, ctx, topics),
      logger,
    });
  }

  onApplicationBootstrap() {
    void this.start().catch((err) => {
      this.logger.fatal({ err }, 'redaction failed to start');
      process.exit(1);
    });
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
    return withHealth(
      {
        module: RedactionModule,
        imports: [
          KafkaModule.forRoot({
            brokers: env.KAFKA_BROKERS,
            security: kafkaSecurity(env),
            compression: env.KAFKA_COMPRESSION,
            clientId: 'hookpost-redaction',
            logger,
          }),
        ],
        providers: [{ provide: ENV, useValue: env }, { provide: LOGGER, useValue: logger }, RedactionService],
      },
      { inject: [RedactionService], useFactory: (service: RedactionService) => service.readiness() },
    );
  }
}
