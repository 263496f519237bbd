import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@hookpost/contracts';
import { eventTypeList, oneUrl, urlList, webhookName, webhookUrlList } from './forms';

/** Domain webhooks (Mailgun v3 and v4): the forms the controllers validate, and the answers. */

// ---- Forms ----

export const domainWebhookCreateForm = z
  .object({ id: webhookName, url: urlList })
  .meta({ id: 'DomainWebhookCreateForm' });

export const domainWebhookUrlsForm = z.object({ url: urlList }).meta({ id: 'DomainWebhookUrlsForm' });

export const domainWebhookTestForm = z.object({ url: oneUrl }).meta({ id: 'DomainWebhookTestForm' });

/** v4: one URL and the event types it fires for. */
export const domainWebhookUrlForm = z
  .object({ url: oneUrl, event_types: eventTypeList.describe('Repeat the field for each event type.') })
  .meta({ id: 'DomainWebhookUrlForm' });

// ---- Answers ----

export const webhookUrls = z.object({ urls: webhookUrlList }).meta({ id: 'WebhookUrls' });

const byType = Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [type, webhookUrls.optional()]));

export const domainWebhooks = z
  .strictObject(byType as Record<WebhookEventType, z.ZodOptional<typeof webhookUrls>>)
  .meta({
    id: 'DomainWebhooks',
    description: 'The URLs of each event type that has any; event types without URLs are absent.',
  });

export const domainWebhookListAnswer = z
  .object({ webhooks: domainWebhooks })
  .meta({ id: 'DomainWebhookList' });

export const domainWebhookAnswer = z.object({ webhook: webhookUrls }).meta({ id: 'DomainWebhook' });

export const domainWebhookChangeAnswer = z
  .object({
    message: z.string().meta({
      examples: ['Webhook has been created', 'Webhook has been updated', 'Webhook has been deleted'],
    }),
    webhook: webhookUrls,
  })
  .meta({ id: 'DomainWebhookChange' });

export const domainWebhooksChangeAnswer = z
  .object({ message: z.string(), webhooks: domainWebhooks })
  .meta({ id: 'DomainWebhooksChange' });

export const webhookTestAnswer = z
  .object({
    code: z.int().meta({
      description: "The target's HTTP status; 0 when it could not be reached.",
      examples: [200, 0],
    }),
    message: z
      .string()
      .describe("The target's response body (at most 1 KiB), or why it could not be reached."),
  })
  .meta({ id: 'WebhookTestResult' });
