import { z } from 'zod';
import { commonEnvShape, kafkaCompression, port, postgresUrl } from '@hookpost/runtime';

export const failureLogEnvShape = {
  ...commonEnvShape,
  /** What it produces is the rare record the failure log cannot hold, to the rejected topic, as it came. */
  KAFKA_COMPRESSION: kafkaCompression('none'),
  HTTP_PORT: port(8085),
  DATABASE_URL: postgresUrl,
};

export type FailureLogEnv = z.infer<z.ZodObject<typeof failureLogEnvShape>>;
