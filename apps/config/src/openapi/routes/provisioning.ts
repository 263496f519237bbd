import { z } from 'zod';
import { messageAnswer } from '../../answers';
import {
  createAccountBody,
  createdAccountAnswer,
  createdApiKeyAnswer,
  createdDomainAnswer,
  createDomainBody,
  createKeyBody,
} from '../../provisioning/provisioning.schemas';
import { body, error, json, jsonBody, param, parameter, type ApiArea } from '../builder';
import { internal } from '../common';

/** The internal provisioning API (admin token): accounts, API keys and domains. */

const TAGS = ['Provisioning'];

export const PROVISIONING: ApiArea = {
  paths: {
    '/internal/v1/accounts': {
      post: internal({
        operationId: 'createAccount',
        summary: 'Create an account (primary, or a subaccount of a primary) with its first API key.',
        tags: TAGS,
        requestBody: body('AccountCreate'),
        responses: {
          '201': json(
            'The account, with its API key and signing key (shown only here).',
            createdAccountAnswer,
          ),
          '400': error('A bad body, or the parent is itself a subaccount.'),
          '404': error('No such parent account.'),
        },
      }),
    },
    '/internal/v1/domains': {
      post: internal({
        operationId: 'createDomain',
        summary: 'Create a domain owned by an account.',
        tags: TAGS,
        requestBody: body('DomainCreate'),
        responses: {
          '201': json('The domain (its name in lower case).', createdDomainAnswer),
          '400': error('A bad body or domain name.'),
          '404': error('No such account.'),
          '409': error('The domain already exists.'),
        },
      }),
    },
    '/internal/v1/accounts/{account_id}/keys': {
      parameters: [parameter('AccountId')],
      post: internal({
        operationId: 'createApiKey',
        summary: 'Create another API key for an account.',
        tags: TAGS,
        requestBody: body('ApiKeyCreate'),
        responses: {
          '201': json('The API key (shown only here).', createdApiKeyAnswer),
          '400': error('A bad body.'),
          '404': error('No such account.'),
        },
      }),
    },
    '/internal/v1/accounts/{account_id}/keys/{key_id}': {
      parameters: [parameter('AccountId'), parameter('KeyId')],
      delete: internal({
        operationId: 'revokeApiKey',
        summary: 'Revoke one API key of an account.',
        tags: TAGS,
        responses: {
          '200': json('The key was revoked.', messageAnswer, { message: 'API key revoked' }),
          '404': error('The account has no such key.'),
        },
      }),
    },
  },
  parameters: {
    AccountId: param('account_id', 'path', z.string(), { description: 'An account id.' }),
    KeyId: param('key_id', 'path', z.string(), { description: 'An API key id.' }),
  },
  requestBodies: {
    AccountCreate: jsonBody(createAccountBody, true),
    DomainCreate: jsonBody(createDomainBody, true),
    ApiKeyCreate: jsonBody(createKeyBody, false),
  },
};
