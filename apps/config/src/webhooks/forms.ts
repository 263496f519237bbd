/**
 * The Mailgun API's form fields as zod schemas: the controllers validate requests with them and the
 * OpenAPI document (apps/config/src/openapi) is generated from them. A form (multipart, urlencoded, or
 * JSON) gives a field as text and a repeated field as a list; each field goes through the domain's check
 * (whose message is the 400's) and is then what its zod shape says, which is what the document shows.
 */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@hookpost/contracts';
import {
  checkUrl,
  fieldList,
  MAX_URL_LENGTH,
  MAX_URLS_PER_WEBHOOK,
  parseEventTypes,
  parseWebhookName,
  validateWebhookUrls,
  type Checked,
} from '@hookpost/domain';
import { checkedAs } from '../validation';

/** A parsed form body (multipart or urlencoded); a repeated field is an array. */
export type Form = Record<string, unknown> | undefined;

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const refused = (message: string): Checked<never> => ({ ok: false, message });

/** A field given once: its text; `<field> is required` when it has none, `... must be given once` for more. */
function once(field: string, value: unknown): Checked<string> {
  const list = fieldList(value);
  if (list.length === 0) return refused(`${field} is required`);
  if (list.length > 1) return refused(`${field} must be given once`);
  return ok(list[0]);
}

/** A field the form may leave out: no text in it is undefined; otherwise `field` checks it. */
export function optionalField<T>(field: z.ZodType<T>) {
  return z
    .preprocess((value) => (fieldList(value).length === 0 ? undefined : value), field.optional())
    .optional();
}

// ---- Event types and webhook names ----

export const eventType = z.enum(WEBHOOK_EVENT_TYPES).meta({
  id: 'EventType',
  description: 'A webhook event type.',
});

/** A webhook name (path `name`, form `id`): an event type, or an alias the domain resolves. */
export const webhookName = checkedAs<WebhookEventType>(
  z.enum([...WEBHOOK_EVENT_TYPES, 'unsubscribe']).meta({
    id: 'WebhookName',
    description:
      'A webhook name: an event type, or `unsubscribe` (as mailgun.js sends it) for `unsubscribed`.',
  }),
  parseWebhookName,
);

/** `event_types`, repeated for each type: at least one; aliases resolved, duplicates dropped. */
export const eventTypeList = checkedAs(z.array(eventType).min(1), (value) =>
  parseEventTypes(fieldList(value)),
);

// ---- URLs ----

const WEBHOOK_URL_RULES =
  'An absolute http or https URL without credentials, at most 2,048 characters (as given and normalised); ' +
  'answered in normalised (WHATWG) form.';

/** A webhook URL as answers carry it (normalised); what the `url` fields are once checked. */
export const webhookUrl = z
  .url()
  .max(MAX_URL_LENGTH)
  .meta({ id: 'WebhookUrl', description: WEBHOOK_URL_RULES });

/** The URLs of one event type of a domain. */
export const webhookUrlList = z.array(webhookUrl).min(1).max(MAX_URLS_PER_WEBHOOK);

/** One `url`, given once, checked and normalised (the form field, or the `url` query parameter). */
export const oneUrl = checkedAs(webhookUrl, (value) => {
  const text = once('url', value);
  return text.ok ? checkUrl(text.value) : text;
});

/** `url`, repeated for each URL: 1 to 3, checked and normalised, duplicates dropped. */
export const urlList = checkedAs(webhookUrlList, (value) => validateWebhookUrls(fieldList(value))).describe(
  'Repeat the field for each URL (1 to 3).',
);

// ---- Text and booleans ----

/** An optional text field of at most `max` characters (its first value, when repeated). */
export function textField(field: string, max: number) {
  return optionalField(
    checkedAs<string>(z.string().max(max), (value) => {
      const text = fieldList(value)[0];
      return text.length > max ? refused(`${field} must be at most ${max} characters`) : ok(text);
    }),
  );
}

const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0']);

/** `true` / `false` as forms send them (also yes/no, 1/0). */
export function booleanField(field: string) {
  return checkedAs<boolean>(z.boolean(), (value) => {
    const list = fieldList(value);
    if (list.length === 0) return refused(`${field} is required`);
    const text = list[0].trim().toLowerCase();
    if (TRUE.has(text)) return ok(true);
    if (FALSE.has(text)) return ok(false);
    return refused(`${field} must be true or false`);
  });
}
