import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ENV } from '@hookpost/runtime';
import type { ConfigEnv } from '../env';
import { ApiError, ApiErrorCode } from '../errors';
import type { AuthedRequest } from './caller';

export const RATE_LIMIT_WINDOW_S = 60;

/**
 * Mailgun's webhook API limit: N requests per minute per account (the account acted for), counted in
 * PostgreSQL so every replica shares one budget. The request over the limit blocks the account for a
 * full window: it gets 429 `{"retry-seconds": 60}`. Runs after ApiKeyGuard.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiterPostgres;

  constructor(@InjectDataSource() db: DataSource, @Inject(ENV) env: ConfigEnv) {
    this.limiter = new RateLimiterPostgres({
      storeClient: db,
      storeType: 'typeorm',
      tableName: 'rate_limits',
      tableCreated: true, // by the migration
      keyPrefix: 'webhooks-api',
      points: env.RATE_LIMIT_PER_MINUTE,
      duration: RATE_LIMIT_WINDOW_S,
      blockDuration: RATE_LIMIT_WINDOW_S,
    });
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const caller = ctx.switchToHttp().getRequest<AuthedRequest>().caller;
    if (!caller) throw new Error('RateLimitGuard must run after ApiKeyGuard');
    try {
      await this.limiter.consume(caller.accountId);
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new ApiError(ApiErrorCode.RateLimited, 'Too many requests', {
        'retry-seconds': Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
      });
    }
  }
}
