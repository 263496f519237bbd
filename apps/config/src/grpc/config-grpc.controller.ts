import { Controller, UseFilters, UseGuards } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { CONFIG_GRPC_SERVICE } from '@hookpost/contracts';
import { CallersService } from '../auth/callers.service';
import { FailureLogService, type FailurePage } from '../failure-log/failure-log.service';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { SettingsService } from '../settings/settings.service';
import { AccountWebhooksService } from '../webhooks/account-webhooks.service';
import { DomainWebhooksService } from '../webhooks/domain-webhooks.service';
import { WebhookTesterService } from '../webhooks/webhook-tester.service';
import { GrpcAdminGuard } from './grpc-auth.guard';
import { GrpcErrorFilter } from './grpc-error.filter';
import * as rq from './grpc-requests';
import { valid } from './grpc-requests';

/** A page as ListWebhookFailuresResponse: page tokens for paging (empty: the first page). */
function failurePage(page: FailurePage) {
  const { first, last, next, previous } = page.tokens;
  return {
    items: page.items.map(({ http_status, ...item }) =>
      http_status === null ? item : { ...item, http_status },
    ),
    paging: { first: first ?? '', last: last ?? '', next: next ?? '', previous: previous ?? '' },
  };
}

/**
 * hookpost.config.v1.ConfigService: the REST API's operations for internal callers, on the same services.
 * Each method validates its request, resolves the account it acts for, and calls the service; the
 * answers have the REST API's shapes, which the proto mirrors.
 */
@Controller()
@UseGuards(GrpcAdminGuard)
@UseFilters(GrpcErrorFilter)
export class ConfigGrpcController {
  constructor(
    private readonly callers: CallersService,
    private readonly provisioning: ProvisioningService,
    private readonly domainWebhooks: DomainWebhooksService,
    private readonly tester: WebhookTesterService,
    private readonly accountWebhooks: AccountWebhooksService,
    private readonly settings: SettingsService,
    private readonly failures: FailureLogService,
  ) {}

  private caller(accountId: string) {
    return this.callers.forAccount(accountId);
  }

  // Provisioning.

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'CreateAccount')
  createAccount(req: unknown) {
    return this.provisioning.createAccount(valid(rq.createAccountRequest, req));
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'CreateDomain')
  createDomain(req: unknown) {
    return this.provisioning.createDomain(valid(rq.createDomainRequest, req));
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'CreateApiKey')
  createApiKey(req: unknown) {
    const r = valid(rq.createApiKeyRequest, req);
    return this.provisioning.createApiKey(r.account_id, r.description);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'RevokeApiKey')
  revokeApiKey(req: unknown) {
    const r = valid(rq.revokeApiKeyRequest, req);
    return this.provisioning.revokeApiKey(r.account_id, r.key_id);
  }

  // Domain webhooks (v3).

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'ListDomainWebhooks')
  async listDomainWebhooks(req: unknown) {
    const r = valid(rq.domainRequest, req);
    return this.domainWebhooks.list(await this.caller(r.account_id), r.domain);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'GetDomainWebhook')
  async getDomainWebhook(req: unknown) {
    const r = valid(rq.domainWebhookRequest, req);
    return this.domainWebhooks.get(await this.caller(r.account_id), r.domain, r.event_type);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'CreateDomainWebhook')
  async createDomainWebhook(req: unknown) {
    const r = valid(rq.domainWebhookWriteRequest, req);
    return this.domainWebhooks.create(await this.caller(r.account_id), r.domain, r.event_type, r.urls);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'UpdateDomainWebhook')
  async updateDomainWebhook(req: unknown) {
    const r = valid(rq.domainWebhookWriteRequest, req);
    return this.domainWebhooks.update(await this.caller(r.account_id), r.domain, r.event_type, r.urls);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'DeleteDomainWebhook')
  async deleteDomainWebhook(req: unknown) {
    const r = valid(rq.domainWebhookRequest, req);
    return this.domainWebhooks.delete(await this.caller(r.account_id), r.domain, r.event_type);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'TestDomainWebhook')
  async testDomainWebhook(req: unknown) {
    const r = valid(rq.testDomainWebhookRequest, req);
    return this.tester.test(await this.caller(r.account_id), r.domain, r.event_type, r.url);
  }

  // Domain webhooks (v4).

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'AddDomainWebhookUrl')
  async addDomainWebhookUrl(req: unknown) {
    const r = valid(rq.domainWebhookUrlTypesRequest, req);
    return this.domainWebhooks.addUrl(await this.caller(r.account_id), r.domain, r.url, r.event_types);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'SetDomainWebhookUrl')
  async setDomainWebhookUrl(req: unknown) {
    const r = valid(rq.domainWebhookUrlTypesRequest, req);
    return this.domainWebhooks.setUrlTypes(await this.caller(r.account_id), r.domain, r.url, r.event_types);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'RemoveDomainWebhookUrl')
  async removeDomainWebhookUrl(req: unknown) {
    const r = valid(rq.domainWebhookUrlRequest, req);
    return this.domainWebhooks.removeUrl(await this.caller(r.account_id), r.domain, r.url);
  }

  // Account webhooks.

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'ListAccountWebhooks')
  async listAccountWebhooks(req: unknown) {
    const r = valid(rq.listAccountWebhooksRequest, req);
    const ids = r.webhook_ids.length > 0 ? r.webhook_ids : undefined;
    return this.accountWebhooks.list(await this.caller(r.account_id), ids);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'GetAccountWebhook')
  async getAccountWebhook(req: unknown) {
    const r = valid(rq.accountWebhookRequest, req);
    return this.accountWebhooks.get(await this.caller(r.account_id), r.webhook_id);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'CreateAccountWebhook')
  async createAccountWebhook(req: unknown) {
    const { account_id, ...input } = valid(rq.createAccountWebhookRequest, req);
    return this.accountWebhooks.create(await this.caller(account_id), input);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'UpdateAccountWebhook')
  async updateAccountWebhook(req: unknown) {
    const { account_id, webhook_id, ...input } = valid(rq.updateAccountWebhookRequest, req);
    return this.accountWebhooks.update(await this.caller(account_id), webhook_id, input);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'DeleteAccountWebhook')
  async deleteAccountWebhook(req: unknown) {
    const r = valid(rq.accountWebhookRequest, req);
    return this.accountWebhooks.delete(await this.caller(r.account_id), r.webhook_id);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'DeleteAccountWebhooks')
  async deleteAccountWebhooks(req: unknown) {
    const r = valid(rq.deleteAccountWebhooksRequest, req);
    return this.accountWebhooks.deleteMany(await this.caller(r.account_id), {
      ids: r.webhook_ids,
      all: r.all,
    });
  }

  // Settings.

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'GetDomain')
  async getDomain(req: unknown) {
    const r = valid(rq.domainRequest, req);
    return this.settings.getDomain(await this.caller(r.account_id), r.domain);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'SetDomainPii')
  async setDomainPii(req: unknown) {
    const r = valid(rq.setDomainPiiRequest, req);
    return this.settings.setDomainPii(await this.caller(r.account_id), r.domain, r.enabled);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'GetAccountFeatures')
  async getAccountFeatures(req: unknown) {
    const r = valid(rq.accountRequest, req);
    return this.settings.getFeatures(await this.caller(r.account_id));
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'SetAccountPii')
  async setAccountPii(req: unknown) {
    const r = valid(rq.setAccountPiiRequest, req);
    return this.settings.setAccountPii(await this.caller(r.account_id), r.enabled);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'SetStandardWebhooks')
  async setStandardWebhooks(req: unknown) {
    const r = valid(rq.setAccountPiiRequest, req);
    return this.settings.setFeatures(await this.caller(r.account_id), { standard_webhooks: r.enabled });
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'SetParentSignature')
  async setParentSignature(req: unknown) {
    const r = valid(rq.setAccountPiiRequest, req);
    return this.settings.setFeatures(await this.caller(r.account_id), { parent_signature: r.enabled });
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'GetSigningKey')
  async getSigningKey(req: unknown) {
    const r = valid(rq.accountRequest, req);
    return this.settings.getSigningKey(await this.caller(r.account_id));
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'RotateSigningKey')
  async rotateSigningKey(req: unknown) {
    const r = valid(rq.accountRequest, req);
    return this.settings.rotateSigningKey(await this.caller(r.account_id));
  }

  // Failure log.

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'ListDomainWebhookFailures')
  async listDomainWebhookFailures(req: unknown) {
    const r = valid(rq.listDomainWebhookFailuresRequest, req);
    const query = this.failures.parseQuery(rq.failureQueryParams(r));
    return failurePage(await this.failures.listForDomain(await this.caller(r.account_id), r.domain, query));
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'ListAccountWebhookFailures')
  async listAccountWebhookFailures(req: unknown) {
    const r = valid(rq.listAccountWebhookFailuresRequest, req);
    const query = this.failures.parseQuery(rq.failureQueryParams(r));
    return failurePage(await this.failures.listForAccount(await this.caller(r.account_id), query));
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'ResendWebhookFailure')
  async resendWebhookFailure(req: unknown) {
    const r = valid(rq.resendWebhookFailureRequest, req);
    return this.failures.resend(await this.caller(r.account_id), r.domain, r.event_id, r.url ?? null);
  }
}
