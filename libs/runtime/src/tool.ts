import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { z } from 'zod';
// Each from its own file, not the packages' index: the failure-log rebuild runs this, and the indexes
// bring NestJS and the OpenTelemetry SDK.
import { createKafka, kafkaSecurity } from '@hookpost/kafka/client';
import { createLogger } from '@hookpost/telemetry/logger';
import { commonEnvShape, kafkaSecurityEnvShape, loadEnvOrExit, postgresUrl } from './env';

/** What every one-shot program reads: the brokers and how to reach them, the prefix, logs, PostgreSQL. */
export const toolEnvShape = {
  KAFKA_BROKERS: commonEnvShape.KAFKA_BROKERS,
  KAFKA_TOPIC_PREFIX: commonEnvShape.KAFKA_TOPIC_PREFIX,
  ...kafkaSecurityEnvShape,
  LOG_LEVEL: commonEnvShape.LOG_LEVEL,
  DATABASE_URL: postgresUrl,
};

type ToolEnv = z.infer<z.ZodObject<typeof toolEnvShape>>;

/**
 * Runs a program that works to its end, unlike a service (no Nest application, no HTTP server, no stop
 * on SIGTERM): provisioning, the failure-log rebuild. Its environment is validated (exit 78 naming each
 * bad variable), its logger and Kafka client (`hookpost-<name>`) made, then `main` runs; a failure is
 * logged and exits 1. The process ends once `main` has closed what it opened.
 */
export function runTool<S extends typeof toolEnvShape & z.ZodRawShape>(
  name: string,
  envShape: S,
  main: (env: z.infer<z.ZodObject<S>>, kafka: Kafka, logger: Logger) => Promise<void>,
): void {
  const env = loadEnvOrExit(name, envShape);
  const common = env as unknown as ToolEnv; // what the shape's toolEnvShape part guarantees
  const logger = createLogger(name, common.LOG_LEVEL);
  const kafka = createKafka({
    brokers: common.KAFKA_BROKERS,
    security: kafkaSecurity(common),
    clientId: `hookpost-${name}`,
    logger,
  });
  main(env, kafka, logger).catch((err) => {
    logger.fatal({ err }, `${name} failed`);
    process.exit(1);
  });
}
