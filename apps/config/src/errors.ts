import { ArgumentsHost, Catch, HttpException, Inject, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { LOGGER } from '@hookpost/runtime';

export enum ApiErrorCode {
  BadRequest = 'bad_request',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  PayloadTooLarge = 'payload_too_large',
  RateLimited = 'rate_limited',
  Unavailable = 'unavailable',
}

/** An expected API failure; rendered in Mailgun's shape `{"message": ...}`. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function statusOf(code: ApiErrorCode): number {
  switch (code) {
    case ApiErrorCode.BadRequest:
      return 400;
    case ApiErrorCode.Unauthorized:
      return 401;
    case ApiErrorCode.Forbidden:
      return 403;
    case ApiErrorCode.NotFound:
      return 404;
    case ApiErrorCode.Conflict:
      return 409;
    case ApiErrorCode.PayloadTooLarge:
      return 413;
    case ApiErrorCode.RateLimited:
      return 429;
    case ApiErrorCode.Unavailable:
      return 503;
  }
}

const PG_CHECK_VIOLATION = '23514';
const PG_UNIQUE_VIOLATION = '23505';
const PG_RAISED = 'P0001';
/** Text PostgreSQL cannot store (a NUL byte, invalid UTF-8) or values out of its types' range: bad input. */
const PG_BAD_INPUT = new Set(['22021', '22P05', '22001', '22003', '22007', '22008', '22P02']);

/** Messages our triggers raise are written for API callers; anything else stays generic. */
function pgMessage(err: { message?: string }): string {
  const message = err.message ?? '';
  return /^hookpost: /.test(message) ? message.slice('hookpost: '.length) : 'Invalid request';
}

const DB_UNAVAILABLE =
  /ECONNREFUSED|Connection terminated|timeout exceeded when trying to connect|the database system is/;
/**
 * SQLSTATEs of a server going away or not taking connections: class 08 (connection exception), 57P01-03
 * (the server shutting down under a statement: "terminating connection due to administrator command"),
 * 53300 (too many connections).
 */
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53300)$/;

/**
 * A database failure every transport answers alike, as the ApiError it amounts to: the database's own
 * guards (constraints, triggers) when a request raced past the service's checks, or the database being
 * unreachable. Null for anything else.
 */
export function databaseError(error: unknown): ApiError | null {
  const err = error as { message?: string; code?: unknown } | null | undefined;
  if (err?.code === PG_CHECK_VIOLATION || err?.code === PG_RAISED) {
    return new ApiError(ApiErrorCode.BadRequest, pgMessage(err));
  }
  if (err?.code === PG_UNIQUE_VIOLATION) return new ApiError(ApiErrorCode.Conflict, 'Already exists');
  if (typeof err?.code === 'string' && PG_BAD_INPUT.has(err.code)) {
    return new ApiError(ApiErrorCode.BadRequest, 'Invalid characters or value in the request');
  }
  if (
    (typeof err?.code === 'string' && PG_UNAVAILABLE.test(err.code)) ||
    DB_UNAVAILABLE.test(String(err?.message))
  ) {
    return new ApiError(ApiErrorCode.Unavailable, 'Service temporarily unavailable, retry later');
  }
  return null;
}

/** Every error of the REST API leaves in Mailgun's error shape; nothing internal leaks. */
@Catch()
export class MailgunErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    // Answered already: a body over the limit is refused while it streams in, and whatever was reading
    // it then fails with the closed request.
    if (res.headersSent) return;
    const [status, body] = this.render(error);
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="MG API"');
    res.status(status).json(body);
  }

  private render(error: unknown): [number, Record<string, unknown>] {
    if (error instanceof ApiError) return [statusOf(error.code), { message: error.message, ...error.extra }];
    if (error instanceof HttpException && /^Field value too long/.test(error.message)) {
      return [413, { message: 'Request body is too large' }];
    }
    if (error instanceof HttpException) {
      const response = error.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : ((response as { message?: unknown }).message ?? error.message);
      return [error.getStatus(), { message: Array.isArray(message) ? message.join('; ') : String(message) }];
    }
    const db = databaseError(error);
    if (db?.code === ApiErrorCode.Unavailable) this.logger.warn({ err: error }, 'database unavailable');
    if (db) return [statusOf(db.code), { message: db.message }];
    const err = error as { status?: number; type?: string; message?: string };
    if (err?.type === 'entity.too.large' || err?.status === 413)
      return [413, { message: 'Request body is too large' }];
    if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      return [err.status, { message: err.message ?? 'Bad request' }];
    }
    this.logger.error({ err: error }, 'unexpected API error');
    return [500, { message: 'Internal server error' }];
  }
}
