import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiError, ApiErrorCode } from '../errors';
import { basicApiKey } from './credentials';
import type { AuthedRequest } from './caller';
import { CallersService } from './callers.service';

export const ON_BEHALF_OF_HEADER = 'x-mailgun-on-behalf-of';

/** Mailgun's auth: HTTP basic `api:<api_key>`; a primary's key may act for a subaccount. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly callers: CallersService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const key = basicApiKey(typeof header === 'string' ? header : undefined);
    if (key === null) throw new ApiError(ApiErrorCode.Unauthorized, 'Invalid private key');
    const behalf = req.headers[ON_BEHALF_OF_HEADER];
    const onBehalfOf = typeof behalf === 'string' && behalf.trim() !== '' ? behalf.trim() : null;
    req.caller = await this.callers.forApiKey(key, onBehalfOf);
    return true;
  }
}
