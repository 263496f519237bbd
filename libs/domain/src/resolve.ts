import type { WebhookEventType } from '@hookpost/contracts';
import { primaryIdOf } from './accounts';
import type { ConfigState } from './config-state';

export interface Endpoint {
  url: string;
  level: 'domain' | 'account';
}

/** An endpoint and the account whose webhook it is (whose failure log shows its failures). */
export interface OwnedEndpoint extends Endpoint {
  /**
   * The domain's owner for its domain-level and its own account-level webhooks; the primary for the
   * primary's account-level webhooks firing for a subaccount's domain. A URL both configured is the
   * domain owner's (its own webhook made that POST too).
   */
  account_id: string;
}

/**
 * The URLs an event goes to: the domain's webhooks for its type, its own account's account-level
 * webhooks and, for a subaccount's domain, the primary's account-level webhooks. The same URL at both
 * levels is sent once, as account-level. A subaccount's webhooks never fire for the primary's domains
 * (only the domain owner and its parent are consulted).
 */
export function resolveEndpoints(
  state: ConfigState,
  domainName: string,
  webhook: WebhookEventType,
): Endpoint[] {
  return resolveOwnedEndpoints(state, domainName, webhook).map(({ url, level }) => ({ url, level }));
}

/** resolveEndpoints, with the account owning each endpoint's webhook. */
export function resolveOwnedEndpoints(
  state: ConfigState,
  domainName: string,
  webhook: WebhookEventType,
): OwnedEndpoint[] {
  const domain = state.domains.get(domainName);
  if (!domain) return [];
  const owner = domain.account_id;
  const byUrl = new Map<string, OwnedEndpoint>();
  for (const url of state.domainWebhooks.get(domainName)?.webhooks[webhook] ?? []) {
    byUrl.set(url, { url, level: 'domain', account_id: owner });
  }
  const account = state.accounts.get(owner);
  const primary = account ? primaryIdOf(account) : owner;
  const accountIds = primary === owner ? [owner] : [owner, primary];
  for (const accountId of accountIds) {
    for (const hook of state.accountWebhooks.get(accountId)?.webhooks ?? []) {
      if (!hook.event_types.includes(webhook)) continue;
      const account_id = byUrl.get(hook.url)?.account_id ?? accountId;
      byUrl.set(hook.url, { url: hook.url, level: 'account', account_id });
    }
  }
  return [...byUrl.values()];
}
