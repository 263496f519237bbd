import type {
  AccountRecord,
  AccountWebhooksRecord,
  ConfigRecord,
  DomainRecord,
  DomainWebhooksRecord,
} from '@hookpost/contracts';
import { primaryIdOf } from './accounts';

/** The in-memory configuration view redaction and fan-out hold, folded from `webhook.config`. */
export interface ConfigState {
  accounts: Map<string, AccountRecord>;
  domains: Map<string, DomainRecord>;
  domainWebhooks: Map<string, DomainWebhooksRecord>;
  accountWebhooks: Map<string, AccountWebhooksRecord>;
}

export function emptyConfigState(): ConfigState {
  return { accounts: new Map(), domains: new Map(), domainWebhooks: new Map(), accountWebhooks: new Map() };
}

/**
 * Folds one compacted record into the state. `record === null` is a tombstone for `key`.
 * Mutates in place: the view is large and applied once per record.
 */
export function applyConfigRecord(state: ConfigState, key: string, record: ConfigRecord | null): void {
  if (record === null) {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const id = key.slice(slash + 1);
    if (kind === 'account') state.accounts.delete(id);
    else if (kind === 'domain') state.domains.delete(id);
    else if (kind === 'domain-webhooks') state.domainWebhooks.delete(id);
    else if (kind === 'account-webhooks') state.accountWebhooks.delete(id);
    return;
  }
  switch (record.kind) {
    case 'account':
      state.accounts.set(record.id, record);
      return;
    case 'domain':
      state.domains.set(record.name, record);
      return;
    case 'domain_webhooks':
      state.domainWebhooks.set(record.domain, record);
      return;
    case 'account_webhooks':
      state.accountWebhooks.set(record.account_id, record);
      return;
  }
}

/**
 * An account's primary as the view holds it (primaryIdOf): the account itself for a primary; a
 * subaccount's parent, or undefined when the view does not hold it (not there yet, or deleted since).
 */
export function primaryIn(state: ConfigState, account: AccountRecord): AccountRecord | undefined {
  const id = primaryIdOf(account);
  return id === account.id ? account : state.accounts.get(id);
}

/**
 * The domain's owner account and, for a subaccount, its primary (null for a primary account's domain,
 * and for a subaccount whose primary the view does not hold).
 */
export function ownersOf(
  state: ConfigState,
  domainName: string,
): { account: AccountRecord; primary: AccountRecord | null } | null {
  const domain = state.domains.get(domainName);
  if (!domain) return null;
  const account = state.accounts.get(domain.account_id);
  if (!account) return null;
  const primary = primaryIn(state, account);
  return { account, primary: primary === account ? null : (primary ?? null) };
}
