import { z } from 'zod';

/** The internal provisioning API (JSON, admin token): the bodies the controller validates, and the answers. */

// ---- Bodies ----

export const createAccountBody = z
  .object({
    name: z.string().trim().min(1).max(200).describe('Trimmed.'),
    parent_account_id: z
      .string()
      .min(1)
      .nullable()
      .optional()
      .describe('The primary account, for a subaccount.'),
  })
  .meta({ id: 'AccountCreateRequest' });

export const createDomainBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(253)
      .meta({ examples: ['mg.example.com'] }),
    account_id: z.string().min(1),
  })
  .meta({ id: 'DomainCreateRequest' });

export const createKeyBody = z
  .object({ description: z.string().max(200).optional() })
  .meta({ id: 'ApiKeyCreateRequest' });

// ---- Answers ----

export const createdAccountAnswer = z
  .object({
    id: z.string(),
    name: z.string(),
    parent_account_id: z.string().nullable(),
    api_key: z.string().meta({ examples: ['key-3ax6xnjp29jd6fds4gc373sgvjxteol0'] }),
    signing_key: z.string().describe('The HTTP webhook signing key.'),
  })
  .meta({ id: 'CreatedAccount' });

export const createdDomainAnswer = z
  .object({ name: z.string(), account_id: z.string() })
  .meta({ id: 'CreatedDomain' });

export const createdApiKeyAnswer = z
  .object({ id: z.string(), api_key: z.string(), description: z.string() })
  .meta({ id: 'CreatedApiKey' });
