import { configKey, type AccountRecord, type ConfigRecord, type DomainRecord } from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState, type ConfigState } from '../config-state';

/** An account's record: its signing key `key-<id>`, a primary when `parentId` is null. */
export const accountRecord = (id: string, parentId: string | null, redactPii = false): AccountRecord => ({
  kind: 'account',
  id,
  parent_id: parentId,
  signing_key: `key-${id}`,
  redact_pii: redactPii,
  standard_webhooks: false,
});

export const domainRecord = (name: string, accountId: string, redactPii = false): DomainRecord => ({
  kind: 'domain',
  name,
  account_id: accountId,
  redact_pii: redactPii,
});

/** The key a record has on `webhook.config`. */
function keyOf(record: ConfigRecord): string {
  switch (record.kind) {
    case 'account':
      return configKey.account(record.id);
    case 'domain':
      return configKey.domain(record.name);
    case 'domain_webhooks':
      return configKey.domainWebhooks(record.domain);
    case 'account_webhooks':
      return configKey.accountWebhooks(record.account_id);
  }
}

/** The config view's state after `records`, applied in order as read from `webhook.config`. */
export function configStateOf(records: readonly ConfigRecord[]): ConfigState {
  const state = emptyConfigState();
  for (const record of records) applyConfigRecord(state, keyOf(record), record);
  return state;
}
