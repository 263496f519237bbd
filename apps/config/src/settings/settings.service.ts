import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isSubaccount, primaryIdOf, standardWebhooksSecret } from '@hookpost/domain';
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
  features: {
    webhooks_redact_pii: { enabled: boolean; inherited: boolean };
    /** Beyond Mailgun: Standard Webhooks headers (webhook-id, -timestamp, -signature) on every POST. */
    standard_webhooks: { enabled: boolean };
    /**
     * Beyond Mailgun's documents: whether POSTs to URLs the primary's subaccounts own carry
     * `parent-signature`. A primary's setting (default on); a subaccount sees its primary's, inherited.
     */
    parent_signature: { enabled: boolean; inherited: boolean };
  };
}

export interface FeaturesChange {
  webhooks_redact_pii?: boolean;
  standard_webhooks?: boolean;
  parent_signature?: boolean;
}

/** A domain as the v4 domains API answers it (one domain, and each item of the list). */
export function domainView(d: DomainEntity): DomainView {
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

  /**
   * PII redaction and parent-signature of a subaccount are its primary's (inherited); Standard Webhooks
   * is each account's own.
   */
  async getFeatures(caller: Caller): Promise<FeaturesView> {
    const account = await callerAccount(this.db.manager, caller);
    const standard_webhooks = { enabled: account.standard_webhooks };
    if (!isSubaccount(account)) {
      return {
        features: {
          webhooks_redact_pii: { enabled: account.redact_pii, inherited: false },
          standard_webhooks,
          parent_signature: { enabled: account.parent_signature, inherited: false },
        },
      };
    }
    const primary = await this.db.getRepository(AccountEntity).findOneBy({ id: primaryIdOf(account) });
    return {
      features: {
        webhooks_redact_pii: { enabled: primary?.redact_pii ?? false, inherited: true },
        standard_webhooks,
        parent_signature: { enabled: primary?.parent_signature ?? true, inherited: true },
      },
    };
  }

  /**
   * Account features; PII redaction and parent-signature are set on primary accounts only and cover
   * their subaccounts.
   */
  async setFeatures(caller: Caller, change: FeaturesChange): Promise<FeaturesView & { message: string }> {
    await this.db.transaction(async (m) => {
      const account = await callerAccount(m, caller, true);
      if (change.webhooks_redact_pii !== undefined && isSubaccount(account)) {
        throw new ApiError(
          ApiErrorCode.Forbidden,
          'webhooks_redact_pii is set on the primary account; subaccounts inherit it',
        );
      }
      if (change.parent_signature !== undefined && isSubaccount(account)) {
        throw new ApiError(
          ApiErrorCode.Forbidden,
          'parent_signature is set on the primary account; subaccounts inherit it',
        );
      }
      if (change.webhooks_redact_pii !== undefined) account.redact_pii = change.webhooks_redact_pii;
      if (change.standard_webhooks !== undefined) account.standard_webhooks = change.standard_webhooks;
      if (change.parent_signature !== undefined) account.parent_signature = change.parent_signature;
      await m.getRepository(AccountEntity).update(
        { id: account.id },
        {
          redact_pii: account.redact_pii,
          standard_webhooks: account.standard_webhooks,
          parent_signature: account.parent_signature,
        },
      );
      await publishAccount(m, account);
    });
    this.relay.kick();
    return { message: 'Account features have been updated', ...(await this.getFeatures(caller)) };
  }

  /** Account-level PII redaction alone (the gRPC API's SetAccountPii). */
  setAccountPii(caller: Caller, enabled: boolean): Promise<FeaturesView & { message: string }> {
    return this.setFeatures(caller, { webhooks_redact_pii: enabled });
  }

  /** The key, and the same key as a Standard Webhooks secret (`whsec_…`) for receivers that use those libraries. */
  async getSigningKey(
    caller: Caller,
  ): Promise<{ http_signing_key: string; standard_webhooks_secret: string }> {
    const account = await callerAccount(this.db.manager, caller);
    return {
      http_signing_key: account.signing_key,
      standard_webhooks_secret: standardWebhooksSecret(account.signing_key),
    };
  }

  /** A new key signs every attempt made once the change reached fan-out (within a second). */
  async rotateSigningKey(
    caller: Caller,
  ): Promise<{ message: string; http_signing_key: string; standard_webhooks_secret: string }> {
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
    return {
      message: 'New HTTP signing key generated',
      http_signing_key: key,
      standard_webhooks_secret: standardWebhooksSecret(key),
    };
  }
}
