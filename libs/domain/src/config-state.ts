import type {
  AccountRecord,
  AccountWebhooksRecord,
  ConfigRecord,
  DomainRecord,
  DomainWebhooksRecord,
} from '@hookpost/contracts';

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

/** The domain's owner account and, for a subaccount, its primary. */
export function ownersOf(
  state: ConfigState,
  domainName: string,
): { account: AccountRecord; primary: AccountRecord | null } | null {
  const domain = state.domains.get(domainName);
  if (!domain) return null;
  const account = state.accounts.get(domain.account_id);
  if (!account) return null;
  const primary = account.parent_id ? (state.accounts.get(account.parent_id) ?? null) : null;
  return { account, primary };
}
