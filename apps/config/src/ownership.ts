import type { EntityManager } from 'typeorm';
import { AccountEntity, DomainEntity } from '@hookpost/persistence';
import type { Caller } from './auth/caller';
import { notFound } from './validation';

/**
 * The domain if the caller's account owns it; otherwise 404, whether it exists elsewhere or not (one
 * account never learns about another's domains). `lock` takes the row for the transaction, which
 * serialises concurrent changes to the domain's webhooks.
 */
export async function ownedDomain(
  m: EntityManager,
  caller: Caller,
  domain: string,
  lock = false,
): Promise<DomainEntity> {
  const found = await m.getRepository(DomainEntity).findOne({
    where: { name: domain.toLowerCase() },
    lock: lock ? { mode: 'pessimistic_write' } : undefined,
  });
  if (!found || found.account_id !== caller.accountId) notFound('Domain not found');
  return found;
}

/** The caller's own account row (locked for the transaction when asked). */
export async function callerAccount(m: EntityManager, caller: Caller, lock = false): Promise<AccountEntity> {
  const found = await m.getRepository(AccountEntity).findOne({
    where: { id: caller.accountId },
    lock: lock ? { mode: 'pessimistic_write' } : undefined,
  });
  if (!found) notFound('Account not found');
  return found;
}
