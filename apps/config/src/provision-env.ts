import { z } from 'zod';
import { commonEnvShape, kafkaSecurityEnvShape, postgresUrl, retrySchedule } from '@hookpost/runtime';

/** What `provision.js` (topics + migrations; the Helm hook Job) reads. */
export const provisionEnvShape = {
  KAFKA_BROKERS: commonEnvShape.KAFKA_BROKERS,
  KAFKA_TOPIC_PREFIX: commonEnvShape.KAFKA_TOPIC_PREFIX,
  ...kafkaSecurityEnvShape,
  LOG_LEVEL: commonEnvShape.LOG_LEVEL,
  DATABASE_URL: postgresUrl,
  RETRY_SCHEDULE: retrySchedule,
  TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
};

export type ProvisionEnv = z.infer<z.ZodObject<typeof provisionEnvShape>>;
