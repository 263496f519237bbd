import type { z } from 'zod';
import { commonEnvShape, port } from '@hookpost/runtime';

export const ingestEnvShape = { ...commonEnvShape, HTTP_PORT: port(8081) };
export type IngestEnv = z.infer<z.ZodObject<typeof ingestEnvShape>>;
