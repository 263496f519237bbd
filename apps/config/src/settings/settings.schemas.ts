import { z } from 'zod';
import { fieldList } from '@hookpost/domain';
import { messageText } from '../answers';
import { jsonSchemaOf } from '../openapi/json-schema';
import { checkedAs } from '../validation';
import { booleanField } from '../webhooks/forms';

/** Domain and account settings (Mailgun v4 domains, v5 accounts): the forms and the answers. */

// ---- Forms ----

export const domainUpdateForm = z
  .object({ webhooks_redact_pii: booleanField('webhooks_redact_pii').describe('`true` or `false`.') })
  .meta({ id: 'DomainUpdateForm' });

const featureValue = z.strictObject({ enabled: z.boolean() });

/**
 * A feature as mailgun.js sends it: a JSON text `{"enabled": true}` in a form field (its first value);
 * no text is undefined.
 */
function featureField(field: string, description: string) {
  const message = `${field} must be JSON like {"enabled": true}`;
  const text = z.string().meta({
    description,
    contentMediaType: 'application/json',
    contentSchema: jsonSchemaOf(featureValue),
  });
  const valueOf = (raw: string) => {
    try {
      return featureValue.safeParse(JSON.parse(raw)).data?.enabled;
    } catch {
      return undefined;
    }
  };
  return checkedAs<string | undefined>(text.optional(), (value) => {
    const raw = fieldList(value)[0];
    if (raw === undefined || valueOf(raw) !== undefined) return { ok: true, value: raw };
    return { ok: false, message };
  })
    .transform((raw) => (raw === undefined ? undefined : valueOf(raw)))
    .optional();
}

/** At least one feature, each checked before that; fields in the order they are checked. */
export const featuresUpdateForm = z
  .object({
    webhooks_redact_pii: featureField('webhooks_redact_pii', 'A JSON object, e.g. `{"enabled": true}`.'),
    standard_webhooks: featureField('standard_webhooks', 'A JSON object, e.g. `{"enabled": true}`.'),
    parent_signature: featureField(
      'parent_signature',
      'A JSON object, e.g. `{"enabled": false}`: off, POSTs to URLs the subaccounts own carry no `parent-signature`.',
    ),
  })
  .refine(
    (change) => Object.values(change).some((value) => value !== undefined),
    'webhooks_redact_pii, standard_webhooks or parent_signature is required',
  )
  .meta({
    id: 'FeaturesUpdateForm',
    minProperties: 1,
    description:
      'At least one feature; `webhooks_redact_pii` and `parent_signature` on primary accounts only (403).',
  });

// ---- Answers ----

export const domainAnswer = z
  .object({
    name: z.string().meta({ examples: ['mg.example.com'] }),
    state: z.string().meta({ examples: ['active'] }),
    created_at: z.iso.datetime().describe('When the domain was created.'),
    webhooks_redact_pii: z
      .boolean()
      .describe("Whether webhooks of this domain's events carry no personal data."),
  })
  .meta({ id: 'Domain' });

export const domainResponseAnswer = z.object({ domain: domainAnswer }).meta({ id: 'DomainResponse' });

export const domainUpdatedAnswer = z
  .object({ message: messageText('Domain has been updated'), domain: domainAnswer })
  .meta({ id: 'DomainUpdated' });

const feature = z
  .object({
    enabled: z.boolean(),
    inherited: z.boolean().describe("Whether the value is the primary account's (a subaccount's always is)."),
  })
  .meta({ id: 'Feature' });

export const featuresAnswer = z
  .object({
    webhooks_redact_pii: feature,
    standard_webhooks: z
      .object({ enabled: z.boolean() })
      .describe(
        'Beyond Mailgun: Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) on every POST of the account, besides the Mailgun signature.',
      ),
    parent_signature: feature.describe(
      "Whether POSTs to URLs the primary's subaccounts own carry `parent-signature` (the primary's key; default on, as Mailgun). A primary account's setting; a subaccount sees its primary's (inherited). URLs among the primary's own account-level webhooks always carry it.",
    ),
  })
  .meta({ id: 'Features' });

export const featuresResponseAnswer = z.object({ features: featuresAnswer }).meta({ id: 'FeaturesResponse' });

export const featuresUpdatedAnswer = z
  .object({ message: messageText('Account features have been updated'), features: featuresAnswer })
  .meta({ id: 'FeaturesUpdated' });

export const signingKeyAnswer = z
  .object({
    http_signing_key: z.string(),
    standard_webhooks_secret: z
      .string()
      .describe('The same key as a Standard Webhooks secret: `whsec_` + base64 of the key.'),
  })
  .meta({ id: 'SigningKey' });

export const signingKeyRegeneratedAnswer = z
  .object({
    message: messageText('New HTTP signing key generated'),
    http_signing_key: z.string(),
    standard_webhooks_secret: z.string(),
  })
  .meta({ id: 'SigningKeyRegenerated' });
