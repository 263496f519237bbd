import { Catch, Inject, type RpcExceptionFilter } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { throwError, type Observable } from 'rxjs';
import { LOGGER } from '@hookpost/runtime';
import { ApiError, ApiErrorCode, databaseError } from '../errors';

/** What a failed call answers: a gRPC status code and the REST API's message as details. */
export interface GrpcFailure {
  code: GrpcStatus;
  details: string;
}

export function grpcStatusOf(code: ApiErrorCode): GrpcStatus {
  switch (code) {
    case ApiErrorCode.BadRequest:
      return GrpcStatus.INVALID_ARGUMENT;
    case ApiErrorCode.Unauthorized:
      return GrpcStatus.UNAUTHENTICATED;
    case ApiErrorCode.Forbidden:
      return GrpcStatus.PERMISSION_DENIED;
    case ApiErrorCode.NotFound:
      return GrpcStatus.NOT_FOUND;
    case ApiErrorCode.Conflict:
      return GrpcStatus.ALREADY_EXISTS;
    case ApiErrorCode.PayloadTooLarge: // gRPC's own answer to a message over the size limit
    case ApiErrorCode.RateLimited:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case ApiErrorCode.Unavailable:
      return GrpcStatus.UNAVAILABLE;
  }
}

/** The failure a thrown error becomes; null when it is unexpected (then INTERNAL, nothing leaked). */
export function expectedFailure(error: unknown): GrpcFailure | null {
  const known = error instanceof ApiError ? error : databaseError(error);
  return known ? { code: grpcStatusOf(known.code), details: known.message } : null;
}

/** Every error of the gRPC API leaves as a gRPC status; internals stay in the log. */
@Catch()
export class GrpcErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown): Observable<never> {
    const failure = expectedFailure(error) ?? this.unexpected(error);
    return throwError(() => failure);
  }

  private unexpected(error: unknown): GrpcFailure {
    this.logger.error({ err: error }, 'unexpected gRPC API error');
    return { code: GrpcStatus.INTERNAL, details: 'Internal server error' };
  }
}
