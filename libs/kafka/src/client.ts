// First: in a process whose first kafkajs comes through this library, that is already early enough.
import { linearGroupingInstalled } from './preload';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';
import { registerCompressionCodecs } from './codecs';
import { fixRecordDecoding } from './record-decoding-fix';
import { fixRecordEncoding } from './record-encoding-fix';
import { fixRequestQueueIdlePolling } from './request-queue-fix';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      logger[LEVELS[level] ?? 'info']({ kafka: extra }, message);
    };
}

/** The Kafka security variables as the services' environment parses them (KAFKA_SSL, KAFKA_SASL_*). */
export interface KafkaSecurityEnv {
  KAFKA_SSL: boolean;
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

/** TLS and SASL for the client; nothing of either when the environment sets neither (plaintext). */
export type KafkaSecurity = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/** Maps the security variables to kafkajs's options (the environment's parser checks they are complete). */
export function kafkaSecurity(env: KafkaSecurityEnv): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (env.KAFKA_SSL) security.ssl = true;
  if (env.KAFKA_SASL_MECHANISM) {
    security.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM,
      username: env.KAFKA_SASL_USERNAME ?? '',
      password: env.KAFKA_SASL_PASSWORD ?? '',
    } as KafkaConfig['sasl']; // one object for the three mechanisms kafkajs types as a union of literals
  }
  return security;
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** TLS and SASL (kafkaSecurity(env)); plaintext without. */
  security?: KafkaSecurity;
}

/** A kafkajs client of a service; every codec Kafka has is registered first (LZ4, Snappy, ZSTD besides GZIP). */
export function createKafka(opts: KafkaClientOptions): Kafka {
  registerCompressionCodecs();
  fixRequestQueueIdlePolling();
  if (!fixRecordEncoding()) {
    opts.logger.warn(
      'kafkajs loaded its record-batch encoder before createKafka: records are encoded its slower way',
    );
  }
  if (!fixRecordDecoding()) {
    opts.logger.warn(
      'kafkajs loaded its record-batch decoder before createKafka: records are decoded its slower way',
    );
  }
  if (!linearGroupingInstalled()) {
    opts.logger.warn(
      'kafkajs was loaded before @hookpost/kafka/preload: its producer groups messages by partition its quadratic way',
    );
  }
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ...opts.security,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(opts.logger.child({ component: 'kafkajs' })),
    retry: { initialRetryTime: 200, retries: 10, maxRetryTime: 5000 },
    connectionTimeout: 5000,
    requestTimeout: 30000,
  });
}
