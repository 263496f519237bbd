import { z } from 'zod';
import { messageAnswer } from '../../answers';
import {
  accountWebhookAnswer,
  accountWebhookCreatedAnswer,
  accountWebhookForm,
  accountWebhookListAnswer,
  accountWebhooksDeletedAnswer,
  accountWebhookUpdatedAnswer,
  accountWebhookUpdateForm,
  deleteAllQuery,
  webhookIdsQuery,
} from '../../webhooks/account-webhooks.schemas';
import { body, error, form, json, param, parameter, type ApiArea } from '../builder';
import { mailgun } from '../common';

/** Mailgun v1 account-level webhooks: one URL and its event types, on every domain of the account. */

const TAGS = ['Account webhooks'];
const NO_WEBHOOK = 'The account has no such webhook.';

const webhookIds = (description: string) =>
  param('webhook_ids', 'query', webhookIdsQuery, { description, style: 'form', explode: false });

export const ACCOUNT_WEBHOOKS: ApiArea = {
  paths: {
    '/v1/webhooks': {
      parameters: [parameter('OnBehalfOf')],
      get: mailgun({
        operationId: 'listAccountWebhooks',
        summary: "List the account's account-level webhooks.",
        tags: TAGS,
        parameters: [webhookIds('Only these webhooks (a comma-separated list).')],
        responses: { '200': json("The account's webhooks.", accountWebhookListAnswer) },
      }),
      post: mailgun({
        operationId: 'createAccountWebhook',
        summary: 'Create an account-level webhook: one URL for the given event types on all domains.',
        tags: TAGS,
        requestBody: body('AccountWebhookCreate'),
        responses: {
          '200': json('The webhook was created.', accountWebhookCreatedAnswer),
          '400': error(
            'A bad URL or event type, a missing field, or a 4th distinct URL for an event type among the ' +
              "account's webhooks.",
          ),
          '409': error('The account already has a webhook with this URL (change its event types instead).'),
        },
      }),
      delete: mailgun({
        operationId: 'deleteAccountWebhooks',
        summary: "Delete some or all of the account's account-level webhooks.",
        tags: TAGS,
        parameters: [
          webhookIds('The webhooks to delete (a comma-separated list); or `all=true`.'),
          param('all', 'query', deleteAllQuery, {
            description: 'Delete every account-level webhook of the account.',
          }),
        ],
        responses: {
          '200': json('The webhooks were deleted.', accountWebhooksDeletedAnswer, {
            message: 'Webhooks have been deleted',
            deleted: 2,
          }),
          '400': error('Neither `webhook_ids` nor `all=true`.'),
        },
      }),
    },
    '/v1/webhooks/{webhook_id}': {
      parameters: [parameter('OnBehalfOf'), parameter('WebhookId')],
      get: mailgun({
        operationId: 'getAccountWebhook',
        summary: 'Get one account-level webhook.',
        tags: TAGS,
        responses: { '200': json('The webhook.', accountWebhookAnswer), '404': error(NO_WEBHOOK) },
      }),
      put: mailgun({
        operationId: 'updateAccountWebhook',
        summary: "Change an account-level webhook's URL, event types and description.",
        tags: TAGS,
        requestBody: body('AccountWebhookUpdate'),
        responses: {
          '200': json('The webhook was updated.', accountWebhookUpdatedAnswer),
          '400': error(
            "A bad URL or event type, or a 4th distinct URL for an event type among the account's webhooks.",
          ),
          '404': error(NO_WEBHOOK),
          '409': error('Another webhook of the account has this URL.'),
        },
      }),
      delete: mailgun({
        operationId: 'deleteAccountWebhook',
        summary: 'Delete one account-level webhook.',
        tags: TAGS,
        responses: {
          '200': json('The webhook was deleted.', messageAnswer, { message: 'Webhook has been deleted' }),
          '404': error(NO_WEBHOOK),
        },
      }),
    },
  },
  parameters: {
    WebhookId: param('webhook_id', 'path', z.string(), { description: 'An account-level webhook id.' }),
  },
  requestBodies: {
    AccountWebhookCreate: form(accountWebhookForm, 'The new webhook.'),
    AccountWebhookUpdate: form(
      accountWebhookUpdateForm,
      "The webhook's new settings: any of url, event_types, description (at least one).",
    ),
  },
};
