import { z } from 'zod';
import {
  commonEnvShape,
  kafkaCompression,
  optionalPort,
  outboundEnvShape,
  port,
  postgresUrl,
} from '@hookpost/runtime';

export const configEnvShape = {
  ...commonEnvShape,
  /** Attempt events and jobs go uncompressed (see kafkaCompression). */
  KAFKA_COMPRESSION: kafkaCompression('none'),
  ...outboundEnvShape,
  HTTP_PORT: port(8080),
  /** The internal API (/internal/v1) on its own port; unset or HTTP_PORT: on HTTP_PORT with the rest. */
  INTERNAL_HTTP_PORT: optionalPort,
  GRPC_PORT: port(50051),
  GRPC_HOST: z.string().optional(), // HTTP_HOST when unset
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  ADMIN_TOKEN: z.string({ message: 'is required' }).min(16, 'must be at least 16 characters'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(200),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),
};

export type ConfigEnv = z.infer<z.ZodObject<typeof configEnvShape>>;
