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

/** INTERNAL_HTTP_PORT when the internal API has a port of its own; null when it shares HTTP_PORT. */
export function internalPortOf(env: ConfigEnv): number | null {
  return env.INTERNAL_HTTP_PORT !== undefined && env.INTERNAL_HTTP_PORT !== env.HTTP_PORT
    ? env.INTERNAL_HTTP_PORT
    : null;
}

/** Checks between variables, in the shape of parseEnv's messages (`NAME: problem`); empty when fine. */
export function configEnvProblems(env: ConfigEnv): string[] {
  return internalPortOf(env) === env.GRPC_PORT ? ['INTERNAL_HTTP_PORT: must differ from GRPC_PORT'] : [];
}
