import { z } from 'zod';
import { commonEnvShape, kafkaCompression, port, retrySchedule } from '@hookpost/runtime';

export const retryEnvShape = {
  ...commonEnvShape,
  /** Attempt events and jobs go uncompressed (see kafkaCompression). */
  KAFKA_COMPRESSION: kafkaCompression('none'),
  HTTP_PORT: port(8084),
  RETRY_SCHEDULE: retrySchedule,
  RETRY_EXCLUDED_EVENTS: z
    .string()
    .default('delivered')
    .transform(
      (v) =>
        new Set(
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
    ),
};

export type RetryEnv = z.infer<z.ZodObject<typeof retryEnvShape>>;
