import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@hookpost/contracts';
import { addUrlToTypes, removeUrl, setUrlTypes, type Checked, type UrlsByType } from '@hookpost/domain';
import { DomainWebhookEntity } from '@hookpost/persistence';
import type { Caller } from '../auth/caller';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { publishDomainWebhooks } from '../outbox/config-records';
import { ownedDomain } from '../ownership';
import { badRequest, notFound } from '../validation';

export interface WebhookUrls {
  urls: string[];
}

export type WebhooksView = Partial<Record<WebhookEventType, WebhookUrls>>;

function view(urls: UrlsByType): WebhooksView {
  const out: WebhooksView = {};
  for (const type of WEBHOOK_EVENT_TYPES) {
    const list = urls[type];
    if (list && list.length > 0) out[type] = { urls: list };
  }
  return out;
}

/**
 * Domain-level webhooks: Mailgun's v3 API (one event type, its URLs) and v4 API (one URL, its event
 * types). Up to 3 URLs per event type per domain. Every change locks the domain row, rewrites the
 * domain's rows and publishes the whole set to `webhook.config` in the same transaction.
 */
@Injectable()
export class DomainWebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async list(caller: Caller, domain: string): Promise<{ webhooks: WebhooksView }> {
    const d = await ownedDomain(this.db.manager, caller, domain);
    return { webhooks: view(await this.urlsByType(this.db.manager, d.name)) };
  }

  async get(caller: Caller, domain: string, name: WebhookEventType): Promise<{ webhook: WebhookUrls }> {
    const d = await ownedDomain(this.db.manager, caller, domain);
    const urls = (await this.urlsByType(this.db.manager, d.name))[name] ?? [];
    if (urls.length === 0) notFound('Webhook not found');
    return { webhook: { urls } };
  }

  async create(caller: Caller, domain: string, name: WebhookEventType, urls: string[]) {
    await this.change(caller, domain, (current) => {
      if (current[name]?.length) badRequest(`Webhook ${name} already exists; use PUT to change it`);
      return { ok: true, value: { ...current, [name]: urls } };
    });
    return { message: 'Webhook has been created', webhook: { urls } };
  }

  async update(caller: Caller, domain: string, name: WebhookEventType, urls: string[]) {
    await this.change(caller, domain, (current) => {
      if (!current[name]?.length) notFound('Webhook not found');
      return { ok: true, value: { ...current, [name]: urls } };
    });
    return { message: 'Webhook has been updated', webhook: { urls } };
  }

  async delete(caller: Caller, domain: string, name: WebhookEventType) {
    let urls: string[] = [];
    await this.change(caller, domain, (current) => {
      urls = current[name] ?? [];
      if (urls.length === 0) notFound('Webhook not found');
      const next = { ...current };
      delete next[name];
      return { ok: true, value: next };
    });
    return { message: 'Webhook has been deleted', webhook: { urls } };
  }

  /** v4 POST: the URL also fires for these event types. */
  async addUrl(caller: Caller, domain: string, url: string, types: WebhookEventType[]) {
    const webhooks = await this.change(caller, domain, (current) => addUrlToTypes(current, url, types));
    return { message: 'Webhook has been created', webhooks: view(webhooks) };
  }

  /** v4 PUT: the URL fires for exactly these event types. */
  async setUrlTypes(caller: Caller, domain: string, url: string, types: WebhookEventType[]) {
    const webhooks = await this.change(caller, domain, (current) =>
      notFoundIfAbsent(setUrlTypes(current, url, types)),
    );
    return { message: 'Webhook has been updated', webhooks: view(webhooks) };
  }

  /** v4 DELETE: the URL no longer fires for any event type. */
  async removeUrl(caller: Caller, domain: string, url: string) {
    const webhooks = await this.change(caller, domain, (current) =>
      notFoundIfAbsent(removeUrl(current, url)),
    );
    return { message: 'Webhook has been deleted', webhooks: view(webhooks) };
  }

  /** Reads the domain's set under its row lock, applies `decide`, writes and publishes the result. */
  private async change(
    caller: Caller,
    domain: string,
    decide: (current: UrlsByType) => Checked<UrlsByType>,
  ): Promise<UrlsByType> {
    const next = await this.db.transaction(async (m) => {
      const d = await ownedDomain(m, caller, domain, true);
      const current = await this.urlsByType(m, d.name);
      const decided = decide(current);
      if (!decided.ok) badRequest(decided.message);
      await this.write(m, d.name, current, decided.value);
      await publishDomainWebhooks(m, d.name);
      return decided.value;
    });
    this.relay.kick();
    return next;
  }

  /** Rewrites only the event types whose URL list changed (so unchanged rows keep their ids and order). */
  private async write(
    m: EntityManager,
    domain: string,
    current: UrlsByType,
    next: UrlsByType,
  ): Promise<void> {
    const repo = m.getRepository(DomainWebhookEntity);
    for (const type of WEBHOOK_EVENT_TYPES) {
      const before = current[type] ?? [];
      const after = next[type] ?? [];
      if (before.length === after.length && before.every((u, i) => u === after[i])) continue;
      await repo.delete({ domain, event_type: type });
      if (after.length > 0) await repo.insert(after.map((url) => ({ domain, event_type: type, url })));
    }
  }

  private async urlsByType(m: EntityManager, domain: string): Promise<UrlsByType> {
    const rows = await m.getRepository(DomainWebhookEntity).find({ where: { domain }, order: { id: 'ASC' } });
    const out: UrlsByType = {};
    for (const row of rows) (out[row.event_type as WebhookEventType] ??= []).push(row.url);
    return out;
  }
}

/** v4 PUT and DELETE of a URL the domain does not have: 404, as for any webhook that is not there. */
function notFoundIfAbsent(result: Checked<UrlsByType>): Checked<UrlsByType> {
  if (!result.ok && result.message.startsWith('No webhook with URL')) notFound(result.message);
  return result;
}
