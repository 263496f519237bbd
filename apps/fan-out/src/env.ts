import { z } from 'zod';
import { commonEnvShape, outboundEnvShape, port } from '@hookpost/runtime';

export const fanOutEnvShape = {
  ...commonEnvShape,
  ...outboundEnvShape,
  HTTP_PORT: port(8083),
  DISPATCH_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100000).default(1000),
  DISPATCH_CONNECTIONS_PER_ORIGIN: z.coerce.number().int().min(1).max(1000).default(32),
};

export type FanOutEnv = z.infer<z.ZodObject<typeof fanOutEnvShape>>;
