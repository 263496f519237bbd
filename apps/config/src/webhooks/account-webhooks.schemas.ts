import { z } from 'zod';
import { fieldList, type Checked } from '@hookpost/domain';
import { messageText } from '../answers';
import { checkedAs } from '../validation';
import { MAX_WEBHOOK_IDS } from './account-webhooks.service';
import { eventType, eventTypeList, oneUrl, optionalField, textField, webhookUrl } from './forms';

/** Account-level webhooks (Mailgun v1): the forms and query the controller validates, and the answers. */

// ---- Forms and query ----

export const MAX_DESCRIPTION_LENGTH = 500;

export const accountWebhookForm = z
  .object({
    url: oneUrl,
    event_types: eventTypeList.describe('Repeat the field for each event type.'),
    description: textField('description', MAX_DESCRIPTION_LENGTH),
  })
  .meta({ id: 'AccountWebhookForm' });

export const accountWebhookUpdateForm = z
  .object({
    url: optionalField(oneUrl),
    event_types: optionalField(eventTypeList).describe(
      'Repeat the field for each event type; replaces the current list.',
    ),
    description: textField('description', MAX_DESCRIPTION_LENGTH),
  })
  .refine(
    (change) => Object.values(change).some((value) => value !== undefined),
    'url, event_types or description is required',
  )
  .meta({ id: 'AccountWebhookUpdateForm', minProperties: 1 });

/** `webhook_ids=a,b` (or repeated): the ids, or undefined when none is given. */
export const webhookIdsQuery = checkedAs<string[] | undefined>(
  z.array(z.string()).max(MAX_WEBHOOK_IDS).optional(),
  (value): Checked<string[] | undefined> => {
    const ids = fieldList(value)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    if (ids.length > MAX_WEBHOOK_IDS) {
      return { ok: false, message: `webhook_ids may name at most ${MAX_WEBHOOK_IDS} webhooks` };
    }
    return { ok: true, value: ids.length > 0 ? ids : undefined };
  },
);

/** `all=true`: every account-level webhook of the account. */
export const deleteAllQuery = z.preprocess((value) => fieldList(value)[0] === 'true', z.boolean());

// ---- Answers ----

export const accountWebhookAnswer = z
  .object({
    webhook_id: z.string(),
    url: webhookUrl,
    description: z.string().describe('Free text; empty when none was given.'),
    event_types: z.array(eventType).min(1).meta({ uniqueItems: true }),
    created_at: z.iso.datetime().describe('When the webhook was created.'),
  })
  .meta({ id: 'AccountWebhook' });

export const accountWebhookListAnswer = z
  .object({ webhooks: z.array(accountWebhookAnswer) })
  .meta({ id: 'AccountWebhookList' });

export const accountWebhookCreatedAnswer = z
  .object({ webhook_id: z.string() })
  .meta({ id: 'AccountWebhookCreated' });

export const accountWebhookUpdatedAnswer = z
  .intersection(accountWebhookAnswer, z.object({ message: messageText('Webhook has been updated') }))
  .meta({ id: 'AccountWebhookUpdated' });

export const accountWebhooksDeletedAnswer = z
  .object({
    message: messageText('Webhooks have been deleted'),
    deleted: z.int().min(0).describe('How many webhooks were deleted.'),
  })
  .meta({ id: 'AccountWebhooksDeleted' });
