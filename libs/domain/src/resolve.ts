import type { WebhookEventType } from '@hookpost/contracts';
import type { ConfigState } from './config-state';

export interface Endpoint {
  url: string;
  level: 'domain' | 'account';
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
  const domain = state.domains.get(domainName);
  if (!domain) return [];
  const byUrl = new Map<string, Endpoint>();
  for (const url of state.domainWebhooks.get(domainName)?.webhooks[webhook] ?? []) {
    byUrl.set(url, { url, level: 'domain' });
  }
  const accountIds = [domain.account_id];
  const parent = state.accounts.get(domain.account_id)?.parent_id;
  if (parent) accountIds.push(parent);
  for (const accountId of accountIds) {
    for (const hook of state.accountWebhooks.get(accountId)?.webhooks ?? []) {
      if (hook.event_types.includes(webhook)) byUrl.set(hook.url, { url: hook.url, level: 'account' });
    }
  }
  return [...byUrl.values()];
}

/**
 * The opt-in flags alone: the domain has it on, or the primary account (own account if primary) has; false
 * for what the view does not hold. What to do with an event is `redactionRequired`'s (it fails closed).
 */
export function redactionEnabled(state: ConfigState, domainName: string): boolean {
  const domain = state.domains.get(domainName);
  if (!domain) return false;
  if (domain.redact_pii) return true;
  const account = state.accounts.get(domain.account_id);
  if (!account) return false;
  const primary = account.parent_id ? state.accounts.get(account.parent_id) : account;
  return primary?.redact_pii ?? false;
}
