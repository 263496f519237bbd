import { AccountListsController } from './accounts/accounts.controller';
import { FailureLogController } from './failure-log/failure-log.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { ProvisioningController } from './provisioning/provisioning.controller';
import { AccountSettingsController, DomainSettingsController } from './settings/settings.controller';
import { AccountWebhooksController } from './webhooks/account-webhooks.controller';
import { DomainWebhooksController, DomainWebhooksV4Controller } from './webhooks/domain-webhooks.controller';

/** Every REST controller of the config service (the OpenAPI test checks each route is documented). */
export const REST_CONTROLLERS = [
  ProvisioningController,
  DomainWebhooksController,
  DomainWebhooksV4Controller,
  AccountWebhooksController,
  DomainSettingsController,
  AccountSettingsController,
  AccountListsController,
  FailureLogController,
  OpenApiController,
];
