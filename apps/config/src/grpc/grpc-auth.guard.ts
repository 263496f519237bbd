import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { ENV } from '@hookpost/runtime';
import { bearerToken, secretEquals } from '../auth/credentials';
import type { ConfigEnv } from '../env';
import { ApiError, ApiErrorCode } from '../errors';

/** Every gRPC call: metadata `authorization: Bearer $ADMIN_TOKEN` (exactly one value), else UNAUTHENTICATED. */
@Injectable()
export class GrpcAdminGuard implements CanActivate {
  constructor(@Inject(ENV) private readonly env: ConfigEnv) {}

  canActivate(ctx: ExecutionContext): boolean {
    const values = ctx.switchToRpc().getContext<Metadata>().get('authorization');
    const header = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
    const token = bearerToken(header);
    if (token === null || !secretEquals(token, this.env.ADMIN_TOKEN)) {
      throw new ApiError(ApiErrorCode.Unauthorized, 'Invalid admin token');
    }
    return true;
  }
}
