import { AccountEntity } from './account.entity';
import { AccountWebhookEntity } from './account-webhook.entity';
import { ApiKeyEntity } from './api-key.entity';
import { DomainEntity } from './domain.entity';
import { DomainWebhookEntity } from './domain-webhook.entity';
import { OutboxEntity } from './outbox.entity';
import { WebhookFailureEntity } from './webhook-failure.entity';
import { WebhookFailureResendEntity } from './webhook-failure-resend.entity';

export {
  AccountEntity,
  AccountWebhookEntity,
  ApiKeyEntity,
  DomainEntity,
  DomainWebhookEntity,
  OutboxEntity,
  WebhookFailureEntity,
  WebhookFailureResendEntity,
};

export const ENTITIES = [
  AccountEntity,
  ApiKeyEntity,
  DomainEntity,
  DomainWebhookEntity,
  AccountWebhookEntity,
  OutboxEntity,
  WebhookFailureEntity,
  WebhookFailureResendEntity,
];
