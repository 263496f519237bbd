import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@hookpost/contracts';
import { DomainEntity, DomainWebhookEntity } from '@hookpost/persistence';
import type { Caller } from '../auth/caller';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { publishDomainWebhooks } from '../outbox/config-records';
import { badRequest, notFound } from '../validation';

export interface WebhookUrls {
  urls: string[];
}

/** Domain-level webhooks (Mailgun v3): up to 3 URLs per event type per domain. */
@Injectable()
export class DomainWebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async list(
    caller: Caller,
    domain: string,
  ): Promise<{ webhooks: Partial<Record<WebhookEventType, WebhookUrls>> }> {
    await this.ownedDomain(this.db.manager, caller, domain);
    const rows = await this.db
      .getRepository(DomainWebhookEntity)
      .find({ where: { domain: domain.toLowerCase() }, order: { id: 'ASC' } });
    const webhooks: Partial<Record<WebhookEventType, WebhookUrls>> = {};
    for (const type of WEBHOOK_EVENT_TYPES) {
      const urls = rows.filter((r) => r.event_type === type).map((r) => r.url);
      if (urls.length > 0) webhooks[type] = { urls };
    }
    return { webhooks };
  }

  async get(caller: Caller, domain: string, name: WebhookEventType): Promise<{ webhook: WebhookUrls }> {
    const d = await this.ownedDomain(this.db.manager, caller, domain);
    const urls = await this.urlsOf(this.db.manager, d.name, name);
    if (urls.length === 0) notFound('Webhook not found');
    return { webhook: { urls } };
  }

  create(caller: Caller, domain: string, name: WebhookEventType, urls: string[]) {
    return this.write(caller, domain, name, urls, 'create');
  }

  update(caller: Caller, domain: string, name: WebhookEventType, urls: string[]) {
    return this.write(caller, domain, name, urls, 'update');
  }

  async delete(caller: Caller, domain: string, name: WebhookEventType) {
    const urls = await this.db.transaction(async (m) => {
      const d = await this.ownedDomain(m, caller, domain);
      const existing = await this.urlsOf(m, d.name, name);
      if (existing.length === 0) notFound('Webhook not found');
      await m.getRepository(DomainWebhookEntity).delete({ domain: d.name, event_type: name });
      await publishDomainWebhooks(m, d.name);
      return existing;
    });
    this.relay.kick();
    return { message: 'Webhook has been deleted', webhook: { urls } };
  }

  private async write(
    caller: Caller,
    domain: string,
    name: WebhookEventType,
    urls: string[],
    mode: 'create' | 'update',
  ): Promise<{ message: string; webhook: WebhookUrls }> {
    await this.db.transaction(async (m) => {
      const d = await this.ownedDomain(m, caller, domain, true);
      const existing = await this.urlsOf(m, d.name, name);
      if (mode === 'create' && existing.length > 0)
        badRequest(`Webhook ${name} already exists; use PUT to change it`);
      if (mode === 'update' && existing.length === 0) notFound('Webhook not found');
      await m.getRepository(DomainWebhookEntity).delete({ domain: d.name, event_type: name });
      await m
        .getRepository(DomainWebhookEntity)
        .insert(urls.map((url) => ({ domain: d.name, event_type: name, url })));
      await publishDomainWebhooks(m, d.name);
    });
    this.relay.kick();
    return {
      message: mode === 'create' ? 'Webhook has been created' : 'Webhook has been updated',
      webhook: { urls },
    };
  }

  private async urlsOf(m: EntityManager, domain: string, name: WebhookEventType): Promise<string[]> {
    const rows = await m
      .getRepository(DomainWebhookEntity)
      .find({ where: { domain, event_type: name }, order: { id: 'ASC' } });
    return rows.map((r) => r.url);
  }

  /** The domain if the caller's account owns it; otherwise 404 (never reveal another account's domain). */
  private async ownedDomain(
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
}
