import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource } from 'typeorm';
import { AccountEntity, DomainEntity } from '@hookpost/persistence';
import type { Caller } from '../auth/caller';
import { ApiError, ApiErrorCode } from '../errors';
import { domainView, type DomainView } from '../settings/settings.service';
import type { ListQuery } from './list-query';

/** A domain of the list; a subaccount's (listed to its primary) names the subaccount. */
export type DomainListItem = DomainView & { subaccount_id?: string };

export interface SubaccountView {
  id: string;
  name: string;
  /** Mailgun's status of a subaccount; Hookpost's are always open. */
  status: 'open';
  created_at: string;
}

/**
 * The account's domains and subaccounts, as Mailgun lists them (`GET /v4/domains`,
 * `GET /v5/accounts/subaccounts`): what a console needs to offer the domains one key may act on.
 */
@Injectable()
export class AccountsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The caller's domains by name; with `include_subaccounts` a primary's lists its subaccounts' too (a
   * subaccount has none: the flag changes nothing for it).
   */
  async listDomains(
    caller: Caller,
    query: ListQuery,
  ): Promise<{ total_count: number; items: DomainListItem[] }> {
    const owners = [caller.accountId];
    if (query.includeSubaccounts && caller.parentId === null) {
      const subs = await this.db.getRepository(AccountEntity).find({
        select: { id: true },
        where: { parent_id: caller.accountId },
      });
      owners.push(...subs.map((s) => s.id));
    }
    const [rows, total] = await this.db.getRepository(DomainEntity).findAndCount({
      where: { account_id: In(owners) },
      order: { name: 'ASC' },
      take: query.limit,
      skip: query.skip,
    });
    return {
      total_count: total,
      items: rows.map((d) =>
        d.account_id === caller.accountId ? domainView(d) : { ...domainView(d), subaccount_id: d.account_id },
      ),
    };
  }

  /** A primary account's subaccounts by name; 403 for a subaccount (it has none, and may not list its peers). */
  async listSubaccounts(
    caller: Caller,
    query: ListQuery,
  ): Promise<{ subaccounts: SubaccountView[]; total: number }> {
    if (caller.parentId !== null) {
      throw new ApiError(ApiErrorCode.Forbidden, 'Only a primary account has subaccounts');
    }
    const [rows, total] = await this.db.getRepository(AccountEntity).findAndCount({
      select: { id: true, name: true, created_at: true },
      where: { parent_id: caller.accountId },
      order: { name: 'ASC', id: 'ASC' },
      take: query.limit,
      skip: query.skip,
    });
    return {
      subaccounts: rows.map((a) => ({
        id: a.id,
        name: a.name,
        status: 'open',
        created_at: a.created_at.toISOString(),
      })),
      total,
    };
  }
}
