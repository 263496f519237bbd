import { z } from 'zod';
import { commonEnvShape, kafkaSecurityEnvShape, postgresUrl, retrySchedule } from '@hookpost/runtime';

/** What provisioning (topics + migrations; the Helm hook Job) reads. */
export const provisionEnvShape = {
  KAFKA_BROKERS: commonEnvShape.KAFKA_BROKERS,
  KAFKA_TOPIC_PREFIX: commonEnvShape.KAFKA_TOPIC_PREFIX,
  ...kafkaSecurityEnvShape,
  LOG_LEVEL: commonEnvShape.LOG_LEVEL,
  DATABASE_URL: postgresUrl,
  RETRY_SCHEDULE: retrySchedule,
  TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  /** Replicas per partition of the topics it creates; unset: the broker's default.replication.factor. */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(32767).optional(),
  /** min.insync.replicas of every topic; unset: from each topic's replication factor (1, 1, then 2). */
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(32767).optional(),
};

export type ProvisionEnv = z.infer<z.ZodObject<typeof provisionEnvShape>>;
