import { z } from 'zod';
import {
  failurePageAnswer,
  failureQuery,
  resendForm,
  resentAnswer,
} from '../../failure-log/failure-log.schemas';
import { error, form, json, param, parameter, type ApiArea } from '../builder';
import { mailgun } from '../common';

/** The failure log: failed, rejected and dropped deliveries, newest first; and, beyond Mailgun, resends. */

const TAGS = ['Failure log'];

const FILTERS = [
  'FailureEvent',
  'FailureUrl',
  'FailureBegin',
  'FailureEnd',
  'FailureLimit',
  'FailurePage',
].map(parameter);

const LIST_RULES =
  'Attempts that did not deliver (failed and retried, rejected with 406, dropped when given up on), built ' +
  'from the delivery-attempt log. Pages are keyset pages on (timestamp, attempt); follow the full URLs in ' +
  "`paging`, as with Mailgun's events API: an empty page ends the walk. A subaccount's key sees (and " +
  "resends) only its own webhooks' failures, never those of its primary's account-level webhooks.";

const BAD_FILTER = 'A bad filter: `event`, `url`, `begin`, `end`, `limit` or `page`.';
const PAGE = 'A page of failures and the links to the pages around it.';
const LIST = 'https://api.example.com/v3/domains/your_domain.com/webhook-failures?limit=100';

const PAGE_EXAMPLE = {
  items: [
    {
      timestamp: 1763114400.123,
      url: 'https://your_domain.com/v1/failed',
      reason: 'HTTP 500: Internal Server Error',
      http_status: 500,
      event: 'permanent_fail',
      event_id: '2kFItcrLQuKTdp-Ia2Xr7w',
      message_id: '20251114100000.58bbb7ce85a423e5@your_domain.com',
      domain: 'your_domain.com',
      attempt: 1,
      final: false,
    },
  ],
  paging: {
    first: LIST,
    last: `${LIST}&page=WyJsIl0`,
    next: `${LIST}&page=WyJvIiwxNzYzMTE0NDAwMTIzLCJhdG1fMSJd`,
    previous: `${LIST}&page=WyJuIiwxNzYzMTE0NDAwMTIzLCJhdG1fMSJd`,
  },
};

export const FAILURE_LOG: ApiArea = {
  paths: {
    '/v3/domains/{domain}/webhook-failures': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain')],
      get: mailgun({
        operationId: 'listDomainWebhookFailures',
        summary: "List the domain's failed webhook deliveries, newest first.",
        description: LIST_RULES,
        tags: TAGS,
        parameters: FILTERS,
        responses: {
          '200': json(PAGE, failurePageAnswer, PAGE_EXAMPLE),
          '400': error(BAD_FILTER),
          '404': error('The caller has no such domain.'),
        },
      }),
    },
    '/v3/domains/{domain}/webhook-failures/{event_id}/resend': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain'), parameter('EventId')],
      post: mailgun({
        operationId: 'resendWebhookFailure',
        summary: "Beyond Mailgun: send an event's failed deliveries again.",
        description:
          'Puts the deliveries of the event to `url` (or to every URL it failed on) back on the delivery queue ' +
          'as manual attempts numbered one above the highest so far. Only deliveries whose failure is final ' +
          '(rejected, or dropped when the retry schedule was used up) are resent; a delivery still being ' +
          'retried or resent, or delivered since, is left alone. `url` may also be given in the query.',
        tags: TAGS,
        requestBody: form(resendForm, 'Optionally, the one URL to resend to.', false),
        responses: {
          '200': json('The deliveries were queued.', resentAnswer, {
            message: 'The deliveries have been queued for resending',
            deliveries: 2,
          }),
          '400': error('A bad `url`.'),
          '404': error('The caller has no such domain, or the event no failure on it (to that URL).'),
          '409': error(
            'None of the deliveries has a final failure: still being retried or resent, or delivered since.',
          ),
        },
      }),
    },
    '/v1/webhook-failures': {
      parameters: [parameter('OnBehalfOf')],
      get: mailgun({
        operationId: 'listAccountWebhookFailures',
        summary: "List the account's failed webhook deliveries on all its domains, newest first.",
        description: `${LIST_RULES} A primary account sees its subaccounts' failures too; a subaccount only its own.`,
        tags: TAGS,
        parameters: FILTERS,
        responses: { '200': json(PAGE, failurePageAnswer), '400': error(BAD_FILTER) },
      }),
    },
  },
  parameters: {
    EventId: param('event_id', 'path', z.string(), {
      description: "A mail event's id (`event_id` of a failure).",
    }),
    FailureEvent: param('event', 'query', failureQuery.event, {
      description:
        'Only failures of this event type, or of several joined by ` OR ` (`opened OR clicked`); `failed` ' +
        'stands for both failure types.',
      example: 'opened OR clicked',
    }),
    FailureUrl: param('url', 'query', failureQuery.url, {
      description: 'Only failures of deliveries to this URL.',
    }),
    FailureBegin: param('begin', 'query', failureQuery.begin, {
      description: 'Only failures at or after this time: epoch seconds or an RFC 2822 date.',
      example: 'Fri, 14 Nov 2025 10:00:00 +0000',
    }),
    FailureEnd: param('end', 'query', failureQuery.end, {
      description:
        'Only failures at or before this time: epoch seconds or an RFC 2822 date. A `begin` after `end` ' +
        'is the same range.',
      example: '1763114400',
    }),
    FailureLimit: param('limit', 'query', failureQuery.limit, { description: 'Failures per page.' }),
    FailurePage: param('page', 'query', failureQuery.page, {
      description: 'An opaque page token, as the `paging` links of an answer carry it.',
    }),
  },
};
