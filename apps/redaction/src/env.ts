import type { z } from 'zod';
import { commonEnvShape, port } from '@hookpost/runtime';

export const redactionEnvShape = { ...commonEnvShape, HTTP_PORT: port(8082) };
export type RedactionEnv = z.infer<z.ZodObject<typeof redactionEnvShape>>;
