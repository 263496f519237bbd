import { AccountEntity } from './account.entity';
import { AccountWebhookEntity } from './account-webhook.entity';
import { ApiKeyEntity } from './api-key.entity';
import { DomainEntity } from './domain.entity';
import { DomainWebhookEntity } from './domain-webhook.entity';
import { OutboxEntity } from './outbox.entity';

export { AccountEntity, AccountWebhookEntity, ApiKeyEntity, DomainEntity, DomainWebhookEntity, OutboxEntity };

export const ENTITIES = [
  AccountEntity,
  ApiKeyEntity,
  DomainEntity,
  DomainWebhookEntity,
  AccountWebhookEntity,
  OutboxEntity,
];
