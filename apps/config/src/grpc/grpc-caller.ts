import type { DataSource } from 'typeorm';
import { AccountEntity } from '@hookpost/persistence';
import type { Caller } from '../auth/caller';
import { notFound } from '../validation';

/** The Caller a gRPC call acts as: the account named by its `account_id`; NOT_FOUND if there is none. */
export async function callerOf(db: DataSource, accountId: string): Promise<Caller> {
  const account = await db.getRepository(AccountEntity).findOneBy({ id: accountId });
  if (!account) notFound('Account not found');
  return { accountId: account.id, parentId: account.parent_id };
}
