import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ENV } from '@hookpost/runtime';
import { ApiError, ApiErrorCode } from '../errors';
import type { ConfigEnv } from '../env';
import { bearerToken, secretEquals } from './credentials';
import type { AuthedRequest } from './caller';

/** Internal provisioning API: `Authorization: Bearer $ADMIN_TOKEN`. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(ENV) private readonly env: ConfigEnv) {}

  canActivate(ctx: ExecutionContext): boolean {
    const header = ctx.switchToHttp().getRequest<AuthedRequest>().headers.authorization;
    const token = bearerToken(typeof header === 'string' ? header : undefined);
    if (token === null || !secretEquals(token, this.env.ADMIN_TOKEN)) {
      throw new ApiError(ApiErrorCode.Unauthorized, 'Invalid admin token');
    }
    return true;
  }
}
