import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsNull, type DataSource } from 'typeorm';
import { isDomainName } from '@hookpost/domain';
import { AccountEntity, ApiKeyEntity, DomainEntity } from '@hookpost/persistence';
import { sha256Hex } from '../auth/credentials';
import { ApiError, ApiErrorCode } from '../errors';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { publishAccount, publishDomain } from '../outbox/config-records';
import { badRequest, notFound } from '../validation';
import { newAccountId, newApiKey, newApiKeyId, newSigningKey } from './keys';

export interface CreatedAccount {
  id: string;
  name: string;
  parent_account_id: string | null;
  api_key: string;
  signing_key: string;
}

/** Internal provisioning: accounts (primary or sub) with their first API key, more keys, and domains. */
@Injectable()
export class ProvisioningService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async createAccount(input: { name: string; parent_account_id?: string | null }): Promise<CreatedAccount> {
    const apiKey = newApiKey();
    const created = await this.db.transaction(async (m) => {
      const parentId = input.parent_account_id ?? null;
      if (parentId !== null) {
        const parent = await m.getRepository(AccountEntity).findOneBy({ id: parentId });
        if (!parent) notFound('Parent account not found');
        if (parent.parent_id !== null) badRequest('A subaccount cannot have subaccounts');
      }
      const account = m.getRepository(AccountEntity).create({
        id: newAccountId(),
        name: input.name,
        parent_id: parentId,
        signing_key: newSigningKey(),
        redact_pii: false,
        standard_webhooks: false,
        parent_signature: true,
      });
      await m.getRepository(AccountEntity).insert(account);
      await m.getRepository(ApiKeyEntity).insert({
        id: newApiKeyId(),
        account_id: account.id,
        key_hash: sha256Hex(apiKey),
        description: 'initial key',
      });
      await publishAccount(m, account);
      return account;
    });
    this.relay.kick();
    return {
      id: created.id,
      name: created.name,
      parent_account_id: created.parent_id,
      api_key: apiKey,
      signing_key: created.signing_key,
    };
  }

  async createDomain(input: {
    name: string;
    account_id: string;
  }): Promise<{ name: string; account_id: string }> {
    const name = input.name.toLowerCase();
    if (!isDomainName(name)) badRequest(`Invalid domain name: ${input.name}`);
    await this.db.transaction(async (m) => {
      if (!(await m.getRepository(AccountEntity).existsBy({ id: input.account_id })))
        notFound('Account not found');
      if (await m.getRepository(DomainEntity).existsBy({ name })) {
        throw new ApiError(ApiErrorCode.Conflict, 'Domain already exists');
      }
      const domain = m
        .getRepository(DomainEntity)
        .create({ name, account_id: input.account_id, redact_pii: false });
      await m.getRepository(DomainEntity).insert(domain);
      await publishDomain(m, domain);
    });
    this.relay.kick();
    return { name, account_id: input.account_id };
  }

  /** Another API key for an account; the key is shown once, only its hash is stored. */
  async createApiKey(
    accountId: string,
    description = '',
  ): Promise<{ id: string; api_key: string; description: string }> {
    if (!(await this.db.getRepository(AccountEntity).existsBy({ id: accountId })))
      notFound('Account not found');
    const apiKey = newApiKey();
    const id = newApiKeyId();
    await this.db.getRepository(ApiKeyEntity).insert({
      id,
      account_id: accountId,
      key_hash: sha256Hex(apiKey),
      description,
    });
    return { id, api_key: apiKey, description };
  }

  /** Revokes a key of the account: every later call with it gets 401. */
  async revokeApiKey(accountId: string, keyId: string): Promise<{ message: string }> {
    const result = await this.db
      .getRepository(ApiKeyEntity)
      .update({ id: keyId, account_id: accountId, revoked_at: IsNull() }, { revoked_at: new Date() });
    if (!result.affected) notFound('API key not found');
    return { message: 'API key revoked' };
  }
}
