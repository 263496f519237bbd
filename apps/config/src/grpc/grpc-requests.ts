import { z } from 'zod';
import { parseWebhookName, validateWebhookUrls, type Checked } from '@hookpost/domain';

/**
 * The gRPC API's requests. proto3 has no "absent" for plain fields: the loader fills in '' and [], so a
 * required field is a non-empty one. Event types and URLs are checked as the REST API checks them.
 */

const required = z.string().trim().min(1, 'is required');

/** A string field run through one of the domain's checks. */
const checked = <T, I>(input: z.ZodType<I>, check: (value: I) => Checked<T>) =>
  input.transform((value, ctx): T => {
    const result = check(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  });

const eventType = checked(z.string(), parseWebhookName);
const webhookUrls = checked(z.array(z.string()), validateWebhookUrls);

const account = { account_id: required };
const domain = { ...account, domain: required };

export const createAccountRequest = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  parent_account_id: z
    .string()
    .optional()
    .transform((v) => (v ? v : null)),
});
export const createDomainRequest = z.object({ name: required.max(253), account_id: required });

export const domainRequest = z.object(domain);
export const domainWebhookRequest = z.object({ ...domain, event_type: eventType });
export const domainWebhookWriteRequest = z.object({ ...domain, event_type: eventType, urls: webhookUrls });
