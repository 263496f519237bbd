import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccountEntity, DomainEntity } from '@hookpost/persistence';
import type { Caller } from '../auth/caller';
import { ApiError, ApiErrorCode } from '../errors';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { publishAccount, publishDomain } from '../outbox/config-records';
import { callerAccount, ownedDomain } from '../ownership';
import { newSigningKey } from '../provisioning/keys';

export interface DomainView {
  name: string;
  state: 'active';
  created_at: string;
  /** The domain's own setting; redaction also applies when its primary account has it on. */
  webhooks_redact_pii: boolean;
}

export interface FeaturesView {
  features: { webhooks_redact_pii: { enabled: boolean; inherited: boolean } };
}

function domainView(d: DomainEntity): DomainView {
  return {
    name: d.name,
    state: 'active',
    created_at: d.created_at.toISOString(),
    webhooks_redact_pii: d.redact_pii,
  };
}

/** PII redaction settings (account and domain level) and the account's HTTP webhook signing key. */
@Injectable()
export class SettingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async getDomain(caller: Caller, domain: string): Promise<{ domain: DomainView }> {
    return { domain: domainView(await ownedDomain(this.db.manager, caller, domain)) };
  }

  async setDomainPii(caller: Caller, domain: string, enabled: boolean) {
    const updated = await this.db.transaction(async (m) => {
      const d = await ownedDomain(m, caller, domain, true);
      d.redact_pii = enabled;
      await m.getRepository(DomainEntity).update({ name: d.name }, { redact_pii: enabled });
      await publishDomain(m, d);
      return d;
    });
    this.relay.kick();
    return { message: 'Domain has been updated', domain: domainView(updated) };
  }

  /** A subaccount's setting is its primary's (inherited); a primary's is its own. */
  async getFeatures(caller: Caller): Promise<FeaturesView> {
    const account = await callerAccount(this.db.manager, caller);
    if (account.parent_id === null) {
      return { features: { webhooks_redact_pii: { enabled: account.redact_pii, inherited: false } } };
    }
    const primary = await this.db.getRepository(AccountEntity).findOneBy({ id: account.parent_id });
    return { features: { webhooks_redact_pii: { enabled: primary?.redact_pii ?? false, inherited: true } } };
  }

  /** Account-level PII redaction: primary accounts only; it covers all their subaccounts' domains. */
  async setAccountPii(caller: Caller, enabled: boolean): Promise<FeaturesView & { message: string }> {
    await this.db.transaction(async (m) => {
      const account = await callerAccount(m, caller, true);
      if (account.parent_id !== null) {
        throw new ApiError(
          ApiErrorCode.Forbidden,
          'webhooks_redact_pii is set on the primary account; subaccounts inherit it',
        );
      }
      account.redact_pii = enabled;
      await m.getRepository(AccountEntity).update({ id: account.id }, { redact_pii: enabled });
      await publishAccount(m, account);
    });
    this.relay.kick();
    return { message: 'Account features have been updated', ...(await this.getFeatures(caller)) };
  }

  async getSigningKey(caller: Caller): Promise<{ http_signing_key: string }> {
    const account = await callerAccount(this.db.manager, caller);
    return { http_signing_key: account.signing_key };
  }

  /** A new key signs every attempt made once the change reached fan-out (within a second). */
  async rotateSigningKey(caller: Caller): Promise<{ message: string; http_signing_key: string }> {
    const key = newSigningKey();
    await this.db.transaction(async (m) => {
      const account = await callerAccount(m, caller, true);
      account.signing_key = key;
      account.signing_key_rotated_at = new Date();
      await m
        .getRepository(AccountEntity)
        .update(
          { id: account.id },
          { signing_key: key, signing_key_rotated_at: account.signing_key_rotated_at },
        );
      await publishAccount(m, account);
    });
    this.relay.kick();
    return { message: 'New HTTP signing key generated', http_signing_key: key };
  }
}
