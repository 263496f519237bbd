import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AccountEntity, ApiKeyEntity } from '@hookpost/persistence';
import { ApiError, ApiErrorCode } from '../errors';
import { basicApiKey, sha256Hex } from './credentials';
import type { AuthedRequest } from './caller';

/** Mailgun's auth: HTTP basic `api:<api_key>`; the key's account becomes the caller. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const key = basicApiKey(typeof header === 'string' ? header : undefined);
    if (key === null) throw new ApiError(ApiErrorCode.Unauthorized, 'Forbidden');
    const apiKey = await this.db
      .getRepository(ApiKeyEntity)
      .findOne({ where: { key_hash: sha256Hex(key), revoked_at: IsNull() } });
    if (!apiKey) throw new ApiError(ApiErrorCode.Unauthorized, 'Forbidden');
    const account = await this.db.getRepository(AccountEntity).findOneByOrFail({ id: apiKey.account_id });
    req.caller = { accountId: account.id, parentId: account.parent_id };
    return true;
  }
}
