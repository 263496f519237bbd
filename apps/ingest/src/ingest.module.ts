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
import { MAX_MAIL_EVENT_BYTES } from '@hookpost/domain';
import { BatchingProducer, topicMaxMessageBytes, TransformConsumer } from '@hookpost/kafka';
import { ENV, LOGGER, NAMES, serviceModule, startInBackground, type ReadinessCheck } from '@hookpost/runtime';
import type { IngestEnv } from './env';
import { ingestMessage, type IngestLimits, type IngestStats } from './ingest';

/**
 * Room a topic needs above a 1 MiB event for what later stages wrap around it (a delivery job, an attempt
 * with its URL and reason, headers). Provisioning sets 2 MiB.
 */
const DOWNSTREAM_ENVELOPE_BYTES = 64 * 1024;

@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly stats: IngestStats = { accepted: 0, rejected: 0 };
  private readonly consumer: TransformConsumer;
  private readonly topics: { events: string; rejected: string };
  /** Learned from the broker before the consumer starts. */
  private limits: IngestLimits | null = null;

  constructor(
    @Inject(Kafka) private readonly kafka: Kafka,
    @Inject(BatchingProducer) producer: BatchingProducer,
    @Inject(ENV) env: IngestEnv,
    @Inject(NAMES) { topic, group }: KafkaNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const topics = { events: topic(TOPICS.webhookEvents), rejected: topic(TOPICS.mailEventsRejected) };
    this.topics = topics;
    this.consumer = new TransformConsumer({
      kafka,
      producer,
      groupId: group('hookpost-ingest'),
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      topic: topic(TOPICS.mailEvents),
      transform: (message, ctx) =>
        ingestMessage(message, ctx, topics, this.requireLimits(), this.stats, Date.now()),
      logger,
    });
  }

  onApplicationBootstrap() {
    startInBackground(this.logger, () => this.start());
  }

  /** Learns the limits of the topics ingest writes (describeConfigs), then consumes. */
  private async start(): Promise<void> {
    const limits = await topicMaxMessageBytes(this.kafka, [this.topics.events, this.topics.rejected]);
    this.limits = {
      events: limits.get(this.topics.events) ?? 0,
      rejected: limits.get(this.topics.rejected) ?? 0,
    };
    this.logger.info({ maxMessageBytes: Object.fromEntries(limits) }, 'record limits of the output topics');
    const needed = MAX_MAIL_EVENT_BYTES + DOWNSTREAM_ENVELOPE_BYTES;
    if (this.limits.events < needed) {
      this.logger.warn(
        { topic: this.topics.events, maxMessageBytes: this.limits.events, needed },
        'max.message.bytes is too small for a 1 MiB mail event: large events will be rejected',
      );
    }
    await this.consumer.start();
  }

  private requireLimits(): IngestLimits {
    if (!this.limits) throw new Error("ingest consumed before learning its topics' limits");
    return this.limits;
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
    return serviceModule(IngestModule, 'ingest', env, logger, {
      providers: [IngestService],
      readiness: { inject: [IngestService], useFactory: (service: IngestService) => service.readiness() },
    });
  }
}
