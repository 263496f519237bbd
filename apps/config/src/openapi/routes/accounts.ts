import { domainListAnswer, listQuery, subaccountListAnswer } from '../../accounts/accounts.schemas';
import { error, json, param, parameter, type ApiArea } from '../builder';
import { mailgun } from '../common';

/** The account's domains (Mailgun v4) and a primary's subaccounts (v5): what one key may act on. */

const OFFSET_PAGING =
  "Offset paging as Mailgun's: `limit` and `skip`, and the size of the whole list in the answer.";

export const ACCOUNT_LISTS: ApiArea = {
  paths: {
    '/v4/domains': {
      parameters: [parameter('OnBehalfOf')],
      get: mailgun({
        operationId: 'listDomains',
        summary: "List the account's domains by name (a primary's subaccounts' too, if asked).",
        description:
          `${OFFSET_PAGING} With \`include_subaccounts=true\` a primary account's list holds its subaccounts' ` +
          'domains too, each with its `subaccount_id` (act for it with `X-Mailgun-On-Behalf-Of`).',
        tags: ['Domains'],
        parameters: [parameter('DomainListLimit'), parameter('ListSkip'), parameter('IncludeSubaccounts')],
        responses: {
          '200': json('A page of domains.', domainListAnswer, {
            total_count: 2,
            items: [
              {
                name: 'eu.example.com',
                state: 'active',
                created_at: '2025-11-14T10:05:00.000Z',
                webhooks_redact_pii: false,
                subaccount_id: 'acc_2f1c9a7e4b3d',
              },
              {
                name: 'mg.example.com',
                state: 'active',
                created_at: '2025-11-14T10:00:00.000Z',
                webhooks_redact_pii: false,
              },
            ],
          }),
          '400': error('A bad `limit`, `skip` or `include_subaccounts`.'),
        },
      }),
    },
    '/v5/accounts/subaccounts': {
      parameters: [parameter('OnBehalfOf')],
      get: mailgun({
        operationId: 'listSubaccounts',
        summary: "List a primary account's subaccounts by name.",
        description: OFFSET_PAGING,
        tags: ['Account'],
        parameters: [parameter('SubaccountListLimit'), parameter('ListSkip')],
        responses: {
          '200': json('A page of subaccounts.', subaccountListAnswer, {
            subaccounts: [
              {
                id: 'acc_2f1c9a7e4b3d',
                name: 'Acme EU',
                status: 'open',
                created_at: '2025-11-14T10:05:00.000Z',
              },
            ],
            total: 1,
          }),
          '400': error('A bad `limit` or `skip`.'),
          '403': error('The account is a subaccount, or may not act for the account named.'),
        },
      }),
    },
  },
  parameters: {
    DomainListLimit: param('limit', 'query', listQuery.domainLimit, { description: 'Domains per page.' }),
    SubaccountListLimit: param('limit', 'query', listQuery.subaccountLimit, {
      description: 'Subaccounts per page.',
    }),
    ListSkip: param('skip', 'query', listQuery.skip, { description: 'How many items of the list to skip.' }),
    IncludeSubaccounts: param('include_subaccounts', 'query', listQuery.includeSubaccounts, {
      description: "A primary account's subaccounts' domains too.",
    }),
  },
};
