import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { createKafka, type KafkaClientOptions } from './client';
import { BatchingProducer, type ProduceCodec } from './producer';

export interface KafkaModuleOptions extends KafkaClientOptions {
  /** The codec of what the service produces (KAFKA_COMPRESSION); default LZ4. */
  compression?: ProduceCodec;
}

/** Connects the shared producer at start and flushes it last at shutdown. */
class ProducerLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(BatchingProducer) private readonly producer: BatchingProducer) {}
  onModuleInit() {
    return this.producer.connect();
  }
  onApplicationShutdown() {
    return this.producer.disconnect();
  }
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(opts: KafkaModuleOptions): DynamicModule {
    const kafka = createKafka(opts);
    return {
      module: KafkaModule,
      providers: [
        { provide: Kafka, useValue: kafka },
        { provide: BatchingProducer, useValue: new BatchingProducer(kafka, opts.compression) },
        ProducerLifecycle,
      ],
      exports: [Kafka, BatchingProducer],
    };
  }
}
