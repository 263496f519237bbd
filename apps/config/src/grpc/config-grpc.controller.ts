import { Controller, UseFilters, UseGuards } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CONFIG_GRPC_SERVICE } from '@hookpost/contracts';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { validateBody as valid } from '../validation';
import { DomainWebhooksService } from '../webhooks/domain-webhooks.service';
import { callerOf } from './grpc-caller';
import { GrpcAdminGuard } from './grpc-auth.guard';
import { GrpcErrorFilter } from './grpc-error.filter';
import * as rq from './grpc-requests';

/**
 * hookpost.config.v1.ConfigService: the REST API's operations for internal callers, on the same services.
 * Each method validates its request, resolves the account it acts for, and calls the service.
 */
@Controller()
@UseGuards(GrpcAdminGuard)
@UseFilters(GrpcErrorFilter)
export class ConfigGrpcController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly provisioning: ProvisioningService,
    private readonly domainWebhooks: DomainWebhooksService,
  ) {}

  private caller(accountId: string) {
    return callerOf(this.db, accountId);
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'CreateAccount')
  createAccount(req: unknown) {
    return this.provisioning.createAccount(valid(rq.createAccountRequest, req));
  }

  @GrpcMethod(CONFIG_GRPC_SERVICE, 'CreateDomain')
  createDomain(req: unknown) {
    return this.provisioning.createDomain(valid(rq.createDomainRequest, req));
  }

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
}
