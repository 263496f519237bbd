import { z } from 'zod';
import { parseCidrList } from '@hookpost/domain';
import { bool, commonEnvShape, port } from '@hookpost/runtime';

export const fanOutEnvShape = {
  ...commonEnvShape,
  HTTP_PORT: port(8083),
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120000).default(10000),
  DESTINATION_ALLOW_PRIVATE: bool(false),
  DESTINATION_ALLOWLIST: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      try {
        parseCidrList(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  DISPATCH_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100000).default(1000),
  DISPATCH_CONNECTIONS_PER_ORIGIN: z.coerce.number().int().min(1).max(1000).default(32),
};

export type FanOutEnv = z.infer<z.ZodObject<typeof fanOutEnvShape>>;
