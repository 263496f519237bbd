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
import { BatchingProducer, KafkaModule, kafkaSecurity, TransformConsumer } from '@hookpost/kafka';
import { ENV, LOGGER, withHealth, type ReadinessCheck } from '@hookpost/runtime';
import type { IngestEnv } from './env';
import { ingestMessage, type IngestStats } from './ingest';

@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly stats: IngestStats = { accepted: 0, rejected: 0 };
  private readonly consumer: TransformConsumer;

  constructor(
    @Inject(Kafka) kafka: Kafka,
    @Inject(BatchingProducer) producer: BatchingProducer,
    @Inject(ENV) env: IngestEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const t = (base: string) => topicName(env.KAFKA_TOPIC_PREFIX, base);
    const topics = { events: t(TOPICS.webhookEvents), rejected: t(TOPICS.mailEventsRejected) };
    this.consumer = new TransformConsumer({
      kafka,
      producer,
      groupId: groupName(env.KAFKA_TOPIC_PREFIX, 'hookpost-ingest'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topic: t(TOPICS.mailEvents),
      transform: (message, ctx) => ingestMessage(message, ctx, topics, this.stats, Date.now()),
      logger,
    });
  }

  onApplicationBootstrap() {
    void this.consumer.start().catch((err) => {
      this.logger.fatal({ err }, 'ingest failed to start');
      process.exit(1);
    });
  }

  beforeApplicationShutdown() {
    return this.consumer.stop();
  }

  readiness(): ReadinessCheck[] {
    return [{ name: 'consumer', check: () => ({ ok: this.consumer.isRunning, details: { ...this.stats } }) }];
  }
}

@Module({})
export class IngestModule {
  static forRoot(env: IngestEnv, logger: Logger): DynamicModule {
    return withHealth(
      {
        module: IngestModule,
        imports: [
          KafkaModule.forRoot({
            brokers: env.KAFKA_BROKERS,
            security: kafkaSecurity(env),
            clientId: 'hookpost-ingest',
            logger,
          }),
        ],
        providers: [{ provide: ENV, useValue: env }, { provide: LOGGER, useValue: logger }, IngestService],
      },
      { inject: [IngestService], useFactory: (service: IngestService) => service.readiness() },
    );
  }
}
