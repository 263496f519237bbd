import type { z } from 'zod';
import { formatIssues } from '@hookpost/contracts';
import { ApiError, ApiErrorCode } from './errors';

/** Validates a request body; a failure is a 400 in Mailgun's shape naming the field. */
export function validateBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ApiError(ApiErrorCode.BadRequest, formatIssues(result.error));
  return result.data;
}

export function badRequest(message: string): never {
  throw new ApiError(ApiErrorCode.BadRequest, message);
}

export function notFound(message: string): never {
  throw new ApiError(ApiErrorCode.NotFound, message);
}
