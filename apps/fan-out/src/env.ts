import { z } from 'zod';
import { commonEnvShape, outboundEnvShape, port } from '@hookpost/runtime';

export const fanOutEnvShape = {
  ...commonEnvShape,
  ...outboundEnvShape,
  HTTP_PORT: port(8083),
  DISPATCH_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100000).default(1000),
  DISPATCH_MAX_PER_ENDPOINT: z.coerce.number().int().min(1).max(1000).default(32),
  /** The dispatch journal's directory; empty: `<tmp>/hookpost-journal/<topic prefix or default>`. */
  DISPATCH_JOURNAL_DIR: z.string().default(''),
};

export type FanOutEnv = z.infer<z.ZodObject<typeof fanOutEnvShape>>;
