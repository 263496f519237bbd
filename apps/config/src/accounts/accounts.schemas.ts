import { z } from 'zod';
import { domainAnswer } from '../settings/settings.schemas';
import { DOMAIN_LIST, MAX_SKIP, SUBACCOUNT_LIST } from './list-query';

/**
 * Mailgun's lists of the account's domains and subaccounts: their query parameters (which parseListQuery
 * checks, with the same bounds) and answers.
 */

// ---- Query ----

export const listQuery = {
  domainLimit: z.int().min(1).max(DOMAIN_LIST.maxLimit).default(DOMAIN_LIST.defaultLimit),
  subaccountLimit: z.int().min(1).max(SUBACCOUNT_LIST.maxLimit).default(SUBACCOUNT_LIST.defaultLimit),
  skip: z.int().min(0).max(MAX_SKIP).default(0),
  includeSubaccounts: z.boolean().default(false),
};

// ---- Answers ----

export const domainListItemAnswer = domainAnswer
  .extend({
    subaccount_id: z
      .string()
      .optional()
      .describe(
        "On a subaccount's domain (listed to its primary): the subaccount, to act for with X-Mailgun-On-Behalf-Of.",
      ),
  })
  .meta({ id: 'DomainListItem' });

export const domainListAnswer = z
  .object({
    total_count: z.int().min(0).describe('Domains in the whole list.'),
    items: z.array(domainListItemAnswer),
  })
  .meta({ id: 'DomainList' });

export const subaccountAnswer = z
  .object({
    id: z.string().describe('The subaccount id (for X-Mailgun-On-Behalf-Of).'),
    name: z.string().meta({ examples: ['Acme EU'] }),
    status: z.literal('open'),
    created_at: z.iso.datetime().describe('When the subaccount was created.'),
  })
  .meta({ id: 'Subaccount' });

export const subaccountListAnswer = z
  .object({
    subaccounts: z.array(subaccountAnswer),
    total: z.int().min(0).describe('Subaccounts in the whole list.'),
  })
  .meta({ id: 'SubaccountList' });
