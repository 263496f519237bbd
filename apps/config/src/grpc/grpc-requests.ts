import { z } from 'zod';
import type { WebhookEventType } from '@hookpost/contracts';
import {
  checkUrl,
  parseEventTypes,
  parseWebhookName,
  validateWebhookUrls,
  type Checked,
} from '@hookpost/domain';
import { badRequest } from '../validation';
import { MAX_WEBHOOK_IDS } from '../webhooks/account-webhooks.service';

/**
 * The gRPC API's requests. proto3 has no "absent" for plain fields: the loader fills in '' and [], so a
 * required field is a non-empty one (`optional` fields are undefined when not sent). Names, URLs and
 * event types are checked by the same functions as on the REST API.
 */

/** Validates a request: INVALID_ARGUMENT naming the field (`urls: ...`) unless the issue is the whole request's. */
export function valid<T>(schema: z.ZodType<T>, request: unknown): T {
  const result = schema.safeParse(request ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5);
  return badRequest(
    issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '),
  );
}

const required = z.string().trim().min(1, 'is required');

/** A field run through one of the domain's checks. */
const checked = <T, I>(input: z.ZodType<I>, check: (value: I) => Checked<T>) =>
  input.transform((value, ctx): T => {
    const result = check(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  });

const eventType = checked(z.string(), parseWebhookName);
const eventTypes = checked(z.array(z.string()), parseEventTypes);
const webhookUrls = checked(z.array(z.string()), validateWebhookUrls);
const url = checked(required, checkUrl);
const description = z.string().max(500, 'must be at most 500 characters');
const webhookIds = z
  .array(z.string().trim())
  .transform((ids) => ids.filter((id) => id.length > 0))
  .refine((ids) => ids.length <= MAX_WEBHOOK_IDS, `may name at most ${MAX_WEBHOOK_IDS} webhooks`);

const account = { account_id: required };
const domain = { ...account, domain: required };

export const createAccountRequest = z.object({
  name: required.max(200),
  parent_account_id: z
    .string()
    .optional()
    .transform((v) => (v ? v : null)),
});
export const createDomainRequest = z.object({ name: required.max(253), account_id: required });
export const createApiKeyRequest = z.object({ ...account, description: z.string().max(200) });
export const revokeApiKeyRequest = z.object({ ...account, key_id: required });

export const accountRequest = z.object(account);
export const domainRequest = z.object(domain);
export const domainWebhookRequest = z.object({ ...domain, event_type: eventType });
export const domainWebhookWriteRequest = z.object({ ...domain, event_type: eventType, urls: webhookUrls });
export const testDomainWebhookRequest = z.object({ ...domain, event_type: eventType, url });
export const domainWebhookUrlRequest = z.object({ ...domain, url });
export const domainWebhookUrlTypesRequest = z.object({ ...domain, url, event_types: eventTypes });

export const listAccountWebhooksRequest = z.object({ ...account, webhook_ids: webhookIds });
export const accountWebhookRequest = z.object({ ...account, webhook_id: required });
export const createAccountWebhookRequest = z.object({
  ...account,
  url,
  event_types: eventTypes,
  description,
});
export const updateAccountWebhookRequest = z
  .object({
    ...account,
    webhook_id: required,
    url: url.optional(),
    event_types: checked(z.array(z.string()), (types): Checked<WebhookEventType[] | undefined> =>
      types.length > 0 ? parseEventTypes(types) : { ok: true, value: undefined },
    ),
    description: description.optional(),
  })
  .refine((r) => r.url !== undefined || r.event_types !== undefined || r.description !== undefined, {
    message: 'url, event_types or description is required',
  });
export const deleteAccountWebhooksRequest = z.object({
  ...account,
  webhook_ids: webhookIds,
  all: z.boolean(),
});

export const setDomainPiiRequest = z.object({ ...domain, enabled: z.boolean() });
export const setAccountPiiRequest = z.object({ ...account, enabled: z.boolean() });

const failureFilters = {
  event: z.string(),
  url: z.string(),
  begin: z.string(),
  end: z.string(),
  limit: z.number().int(),
  page: z.string(),
};
export const listDomainWebhookFailuresRequest = z.object({ ...domain, ...failureFilters });
export const listAccountWebhookFailuresRequest = z.object({ ...account, ...failureFilters });
export const resendWebhookFailureRequest = z.object({ ...domain, event_id: required, url: url.optional() });

/** The filter fields of a list request as the REST API's query parameters (empty ones absent). */
export function failureQueryParams(r: z.infer<z.ZodObject<typeof failureFilters>>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of ['event', 'url', 'begin', 'end', 'page'] as const)
    if (r[name] !== '') params[name] = r[name];
  if (r.limit !== 0) params.limit = String(r.limit);
  return params;
}
