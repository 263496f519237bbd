import type { EntityManager } from 'typeorm';
import {
  configKey,
  type AccountRecord,
  type AccountWebhooksRecord,
  type ConfigRecord,
  type DomainRecord,
  type DomainWebhooksRecord,
  type WebhookEventType,
} from '@hookpost/contracts';
import {
  AccountEntity,
  AccountWebhookEntity,
  DomainEntity,
  DomainWebhookEntity,
} from '@hookpost/persistence';

/**
 * Config changes become `webhook.config` records through the outbox: each write calls one of these in
 * its own transaction, so the topic never misses a committed change nor sees an uncommitted one.
 */
export async function enqueue(m: EntityManager, key: string, record: ConfigRecord | null): Promise<void> {
  await m.query('INSERT INTO outbox (key, value) VALUES ($1, $2::jsonb)', [
    key,
    record === null ? null : JSON.stringify(record),
  ]);
}

export function accountRecord(a: AccountEntity): AccountRecord {
  return {
    kind: 'account',
    id: a.id,
    parent_id: a.parent_id,
    signing_key: a.signing_key,
    redact_pii: a.redact_pii,
    standard_webhooks: a.standard_webhooks,
    parent_signature: a.parent_signature,
  };
}

export function domainRecord(d: DomainEntity): DomainRecord {
  return { kind: 'domain', name: d.name, account_id: d.account_id, redact_pii: d.redact_pii };
}

export async function publishAccount(m: EntityManager, a: AccountEntity): Promise<void> {
  await enqueue(m, configKey.account(a.id), accountRecord(a));
}

export async function publishDomain(m: EntityManager, d: DomainEntity): Promise<void> {
  await enqueue(m, configKey.domain(d.name), domainRecord(d));
}

/**
 * Re-reads the domain's webhook URLs and publishes the whole set (one record per domain); when none is
 * left, a tombstone, so compaction drops the key.
 */
export async function publishDomainWebhooks(
  m: EntityManager,
  domain: string,
): Promise<DomainWebhooksRecord | null> {
  const rows = await m.getRepository(DomainWebhookEntity).find({ where: { domain }, order: { id: 'ASC' } });
  const webhooks: Partial<Record<WebhookEventType, string[]>> = {};
  for (const row of rows) (webhooks[row.event_type as WebhookEventType] ??= []).push(row.url);
  const record: DomainWebhooksRecord | null =
    rows.length > 0 ? { kind: 'domain_webhooks', domain, webhooks } : null;
  await enqueue(m, configKey.domainWebhooks(domain), record);
  return record;
}

export async function publishAccountWebhooks(m: EntityManager, accountId: string): Promise<void> {
  const rows = await m
    .getRepository(AccountWebhookEntity)
    .find({ where: { account_id: accountId }, order: { created_at: 'ASC' } });
  const record: AccountWebhooksRecord | null =
    rows.length > 0
      ? {
          kind: 'account_webhooks',
          account_id: accountId,
          webhooks: rows.map((r) => ({
            id: r.id,
            url: r.url,
            event_types: r.event_types as WebhookEventType[],
          })),
        }
      : null; // a tombstone: compaction drops the key
  await enqueue(m, configKey.accountWebhooks(accountId), record);
}
