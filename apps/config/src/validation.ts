import { z } from 'zod';
import { formatIssues } from '@hookpost/contracts';
import type { Checked } from '@hookpost/domain';
import { ApiError, ApiErrorCode } from './errors';

/** Validates a request body; a failure is a 400 in Mailgun's shape naming the field. */
export function validateBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ApiError(ApiErrorCode.BadRequest, formatIssues(result.error));
  return result.data;
}

/**
 * Validates a Mailgun API field (a path or query parameter) with its schema; a failure is a 400 whose
 * message is the first issue's, as the domain's checks word it (`url is required`).
 */
export function parseField<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  return result.success ? result.data : badRequest(result.error.issues[0]?.message ?? 'Invalid request');
}

/** Validates a Mailgun API form (multipart, urlencoded or JSON) as parseField; anything but an object is an empty form. */
export function parseForm<T>(schema: z.ZodType<T>, form: unknown): T {
  return parseField(schema, typeof form === 'object' && form !== null && !Array.isArray(form) ? form : {});
}

/**
 * A request field validated by one of the domain's checks (its message is the issue's, its value the
 * field's), then typed as `shape`, which is also what the OpenAPI document shows of the field: the
 * check's value always fits it (a unit test holds every form's to that).
 */
export function checkedAs<T>(shape: z.ZodType, check: (value: unknown) => Checked<T>): z.ZodType<T> {
  const field = z.preprocess((value, ctx) => {
    const checked = check(value);
    if (checked.ok) return checked.value;
    ctx.addIssue({ code: 'custom', message: checked.message, input: value });
    return value;
  }, shape);
  return field as unknown as z.ZodType<T>;
}

export function badRequest(message: string): never {
  throw new ApiError(ApiErrorCode.BadRequest, message);
}

export function notFound(message: string): never {
  throw new ApiError(ApiErrorCode.NotFound, message);
}
