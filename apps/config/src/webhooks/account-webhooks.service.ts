import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { WebhookEventType } from '@hookpost/contracts';
import { accountWebhookConflict } from '@hookpost/domain';
import { AccountWebhookEntity } from '@hookpost/persistence';
import type { Caller } from '../auth/caller';
import { ApiError, ApiErrorCode } from '../errors';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { publishAccountWebhooks } from '../outbox/config-records';
import { callerAccount } from '../ownership';
import { badRequest, notFound } from '../validation';

export interface AccountWebhookView {
  webhook_id: string;
  url: string;
  description: string;
  event_types: WebhookEventType[];
  created_at: string;
}

export interface AccountWebhookInput {
  url: string;
  event_types: WebhookEventType[];
  description?: string;
}

function viewOf(row: AccountWebhookEntity): AccountWebhookView {
  return {
    webhook_id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.event_types as WebhookEventType[],
    created_at: row.created_at.toISOString(),
  };
}

export const MAX_WEBHOOK_IDS = 100;

/**
 * Account-level webhooks (Mailgun's /v1/webhooks): fire for every domain of the account, and for a
 * primary account also for its subaccounts' domains. One URL once per account, at most 3 distinct URLs
 * per event type. Each change locks the account row and publishes the account's whole set.
 */
@Injectable()
export class AccountWebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async list(caller: Caller, ids?: string[]): Promise<{ webhooks: AccountWebhookView[] }> {
    const rows = await this.db.getRepository(AccountWebhookEntity).find({
      where: { account_id: caller.accountId, ...(ids ? { id: In(ids) } : {}) },
      order: { created_at: 'ASC', id: 'ASC' },
    });
    return { webhooks: rows.map(viewOf) };
  }

  async get(caller: Caller, id: string): Promise<AccountWebhookView> {
    return viewOf(await this.owned(this.db.manager, caller, id));
  }

  async create(caller: Caller, input: AccountWebhookInput): Promise<{ webhook_id: string }> {
    const id = randomBytes(12).toString('hex');
    await this.change(caller, async (m, existing) => {
      this.check(existing, { id, url: input.url, event_types: input.event_types });
      await m.getRepository(AccountWebhookEntity).insert({
        id,
        account_id: caller.accountId,
        url: input.url,
        event_types: input.event_types,
        description: input.description ?? '',
      });
    });
    return { webhook_id: id };
  }

  async update(
    caller: Caller,
    id: string,
    input: Partial<AccountWebhookInput>,
  ): Promise<{ message: string } & AccountWebhookView> {
    const updated = await this.change(caller, async (m, existing) => {
      const row = await this.owned(m, caller, id);
      const next = {
        url: input.url ?? row.url,
        event_types: input.event_types ?? (row.event_types as WebhookEventType[]),
        description: input.description ?? row.description,
      };
      this.check(existing, { id, url: next.url, event_types: next.event_types });
      await m.getRepository(AccountWebhookEntity).update({ id, account_id: caller.accountId }, next);
      return this.owned(m, caller, id);
    });
    return { message: 'Webhook has been updated', ...viewOf(updated) };
  }

  async delete(caller: Caller, id: string): Promise<{ message: string }> {
    await this.change(caller, async (m) => {
      await this.owned(m, caller, id);
      await m.getRepository(AccountWebhookEntity).delete({ id, account_id: caller.accountId });
    });
    return { message: 'Webhook has been deleted' };
  }

  /** Deletes the given ids (those the account owns), or all of them. */
  async deleteMany(caller: Caller, target: { ids?: string[]; all?: boolean }) {
    if (!target.ids?.length && !target.all) badRequest('webhook_ids or all=true is required');
    const deleted = await this.change(caller, async (m) => {
      const where = target.ids?.length
        ? { account_id: caller.accountId, id: In(target.ids) }
        : { account_id: caller.accountId };
      const result = await m.getRepository(AccountWebhookEntity).delete(where);
      return result.affected ?? 0;
    });
    return { message: 'Webhooks have been deleted', deleted };
  }

  private check(
    existing: AccountWebhookEntity[],
    candidate: { id: string; url: string; event_types: WebhookEventType[] },
  ): void {
    const conflict = accountWebhookConflict(
      existing.map((w) => ({ id: w.id, url: w.url, event_types: w.event_types as WebhookEventType[] })),
      candidate,
    );
    if (conflict?.kind === 'duplicate') throw new ApiError(ApiErrorCode.Conflict, conflict.message);
    if (conflict) badRequest(conflict.message);
  }

  /** Runs a change under the account's row lock with its current webhooks, then publishes the set. */
  private async change<T>(
    caller: Caller,
    apply: (m: EntityManager, existing: AccountWebhookEntity[]) => Promise<T>,
  ): Promise<T> {
    const result = await this.db.transaction(async (m) => {
      await callerAccount(m, caller, true);
      const existing = await m.getRepository(AccountWebhookEntity).findBy({ account_id: caller.accountId });
      const out = await apply(m, existing);
      await publishAccountWebhooks(m, caller.accountId);
      return out;
    });
    this.relay.kick();
    return result;
  }

  private async owned(m: EntityManager, caller: Caller, id: string): Promise<AccountWebhookEntity> {
    const row = await m.getRepository(AccountWebhookEntity).findOneBy({ id, account_id: caller.accountId });
    if (!row) notFound('Webhook not found');
    return row;
  }
}
