import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccountEntity } from '@hookpost/persistence';
import { ApiError, ApiErrorCode } from '../errors';
import type { Caller } from './caller';
import { sha256Hex } from './credentials';

/** Who a request acts for: from an API key (and X-Mailgun-On-Behalf-Of), or from an account id. */
@Injectable()
export class CallersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The account of a live API key, or for its subaccount when `onBehalfOf` names one; 401/403 otherwise. */
  async forApiKey(key: string, onBehalfOf: string | null): Promise<Caller> {
    const rows: Array<{ id: string; parent_id: string | null }> = await this.db.query(
      `SELECT a.id, a.parent_id FROM api_keys k JOIN accounts a ON a.id = k.account_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [sha256Hex(key)],
    );
    if (rows.length === 0) throw new ApiError(ApiErrorCode.Unauthorized, 'Invalid private key');
    const account = rows[0];
    if (onBehalfOf === null) return { accountId: account.id, parentId: account.parent_id, viaPrimary: false };
    const sub = await this.db.getRepository(AccountEntity).findOneBy({ id: onBehalfOf });
    if (!sub || sub.parent_id !== account.id) {
      throw new ApiError(
        ApiErrorCode.Forbidden,
        'X-Mailgun-On-Behalf-Of must name a subaccount of this account',
      );
    }
    return { accountId: sub.id, parentId: sub.parent_id, viaPrimary: true };
  }

  /** Internal callers (gRPC, admin) act for any account by id; 404 when there is none. */
  async forAccount(accountId: string): Promise<Caller> {
    const account = await this.db.getRepository(AccountEntity).findOneBy({ id: accountId });
    if (!account) throw new ApiError(ApiErrorCode.NotFound, 'Account not found');
    return { accountId: account.id, parentId: account.parent_id, viaPrimary: false };
  }
}
