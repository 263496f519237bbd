import { WEBHOOK_EVENT_TYPES } from '@hookpost/contracts';

/**
 * The OpenAPI 3.1 description of the config service's REST API (docs/api.md is the prose). Served at
 * `GET /openapi.json` and written to docs/openapi.json by `npm run openapi:write`; a unit test keeps the two
 * equal and checks the document's structure.
 */

// ---- The subset of OpenAPI 3.1 this document uses ----

export interface Reference {
  $ref: string;
  description?: string;
}

/** JSON Schema 2020-12, as far as this document needs it. */
export interface Schema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null' | Array<string>;
  title?: string;
  description?: string;
  format?: string;
  enum?: Array<string | number | boolean | null>;
  const?: string | number | boolean | null;
  examples?: unknown[];
  default?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  contentMediaType?: string;
  contentSchema?: Schema;
}

export interface Header {
  description?: string;
  schema: Schema;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  description?: string;
  required?: boolean;
  style?: 'simple' | 'form';
  explode?: boolean;
  schema: Schema;
  example?: unknown;
}

export interface Encoding {
  contentType?: string;
  style?: 'form';
  explode?: boolean;
}

export interface MediaType {
  schema: Schema;
  example?: unknown;
  encoding?: Record<string, Encoding>;
}

export interface RequestBody {
  description?: string;
  required?: boolean;
  content: Record<string, MediaType>;
}

export interface Response {
  description: string;
  headers?: Record<string, Header>;
  content?: Record<string, MediaType>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: SecurityRequirement[];
  parameters?: Array<Parameter | Reference>;
  requestBody?: RequestBody | Reference;
  responses: Record<string, Response | Reference>;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type PathItem = { summary?: string; parameters?: Array<Parameter | Reference> } & Partial<
  Record<HttpMethod, Operation>
>;

export interface SecurityScheme {
  type: 'http';
  scheme: 'basic' | 'bearer';
  description?: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  tags: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, Parameter>;
    requestBodies: Record<string, RequestBody>;
    responses: Record<string, Response>;
    securitySchemes: Record<string, SecurityScheme>;
  };
}

// ---- Building blocks ----

const schema = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const parameter = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });
const body = (name: string): Reference => ({ $ref: `#/components/requestBodies/${name}` });
const response = (name: string): Reference => ({ $ref: `#/components/responses/${name}` });

const MAILGUN: SecurityRequirement[] = [{ basicAuth: [] }];
const INTERNAL: SecurityRequirement[] = [{ bearerAuth: [] }];
const PUBLIC: SecurityRequirement[] = [];

/** A JSON answer. */
function json(description: string, of: string, example?: unknown): Response {
  const media: MediaType = { schema: schema(of) };
  if (example !== undefined) media.example = example;
  return { description, content: { 'application/json': media } };
}

/** An error answer in Mailgun's shape `{"message": ...}`, described for the operation it belongs to. */
const error = (description: string): Response => json(description, 'Error');

/** A form body, accepted as multipart/form-data and as application/x-www-form-urlencoded. */
function form(of: string, repeated: string[], description: string): RequestBody {
  const media: MediaType = { schema: schema(of) };
  if (repeated.length > 0) {
    media.encoding = Object.fromEntries(repeated.map((field) => [field, { style: 'form', explode: true }]));
  }
  return {
    description,
    required: true,
    content: { 'multipart/form-data': media, 'application/x-www-form-urlencoded': media },
  };
}

/** A JSON body of the internal API. */
function jsonBody(of: string, required: boolean): RequestBody {
  return { required, content: { 'application/json': { schema: schema(of) } } };
}

const text = (description: string): Schema => ({ type: 'string', description });

const messageOf = (message: string): Schema => ({ type: 'string', examples: [message] });

const WEBHOOK_URL_RULES =
  'An absolute http or https URL without credentials, at most 2,048 characters (as given and normalised); ' +
  'answered in normalised (WHATWG) form.';

const EXAMPLE_URLS = ['https://your_domain.com/v1/clicked', 'https://your_domain.com/v2/clicked'];

const FAILURE_FILTERS = [
  'FailureEvent',
  'FailureUrl',
  'FailureBegin',
  'FailureEnd',
  'FailureLimit',
  'FailurePage',
].map(parameter);

const FAILURE_LIST_RULES =
  'Attempts that did not deliver (failed and retried, rejected with 406, dropped when given up on), built ' +
  'from the delivery-attempt log. Pages are keyset pages on (timestamp, attempt); follow the full URLs in ' +
  "`paging`, as with Mailgun's events API: an empty page ends the walk. A subaccount's key sees (and " +
  "resends) only its own webhooks' failures, never those of its primary's account-level webhooks.";

const FAILURE_PAGE_EXAMPLE = {
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
    first: 'https://api.example.com/v3/domains/your_domain.com/webhook-failures?limit=100',
    last: 'https://api.example.com/v3/domains/your_domain.com/webhook-failures?limit=100&page=WyJsIl0',
    next: 'https://api.example.com/v3/domains/your_domain.com/webhook-failures?limit=100&page=WyJvIiwxNzYzMTE0NDAwMTIzLCJhdG1fMSJd',
    previous:
      'https://api.example.com/v3/domains/your_domain.com/webhook-failures?limit=100&page=WyJuIiwxNzYzMTE0NDAwMTIzLCJhdG1fMSJd',
  },
};

// ---- The document ----

export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Hookpost config API',
    version: '0.1.0',
    description:
      "Mailgun-compatible webhook configuration (Mailgun's `/v1`, `/v3`, `/v4` and `/v5` paths, HTTP basic " +
      'auth `api:<api_key>`) and the internal provisioning API (`/internal/v1`, bearer `ADMIN_TOKEN`). ' +
      'Mailgun API bodies are `multipart/form-data` or `application/x-www-form-urlencoded` (a repeated field ' +
      'is a list); the internal API takes JSON. Bodies over 64 KiB are refused (413). Webhook endpoints ' +
      'allow 300 requests per minute per account (the account acted for); the request over the limit ' +
      'blocks the account for 60 s (429). Errors are always `{"message": "..."}`. Changes are in effect ' +
      'for events produced one second later.',
  },
  tags: [
    { name: 'Domain webhooks', description: 'Mailgun v3 domain webhooks: up to 3 URLs per event type.' },
    { name: 'Domain webhooks (v4)', description: 'Mailgun v4 domain webhooks: one URL, many event types.' },
    {
      name: 'Account webhooks',
      description: 'Mailgun v1 account-level webhooks, for all domains of the account.',
    },
    { name: 'Domains', description: "The account's domains and a domain's settings." },
    { name: 'Account', description: "The account's subaccounts, features and HTTP webhook signing key." },
    {
      name: 'Failure log',
      description:
        'Webhook deliveries that failed (retried), were rejected (406) or were given up on (dropped), newest ' +
        'first, with Mailgun events-API paging; and, beyond Mailgun, resends.',
    },
    { name: 'Provisioning', description: 'Internal API: accounts, API keys and domains.' },
    { name: 'Meta', description: 'This document.' },
  ],
  paths: {
    '/v3/domains/{domain}/webhooks': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain')],
      get: {
        operationId: 'listDomainWebhooks',
        summary: "List the domain's webhooks, by event type.",
        tags: ['Domain webhooks'],
        security: MAILGUN,
        responses: {
          '200': json('The event types that have URLs, with their URLs.', 'DomainWebhookList', {
            webhooks: {
              opened: { urls: ['https://your_domain.com/v1/opened', 'https://your_domain.com/v2/opened'] },
              clicked: { urls: ['https://your_domain.com/v1/clicked'] },
            },
          }),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      post: {
        operationId: 'createDomainWebhook',
        summary: 'Create the webhook of one event type with 1 to 3 URLs.',
        tags: ['Domain webhooks'],
        security: MAILGUN,
        requestBody: body('DomainWebhookCreate'),
        responses: {
          '200': json('The webhook was created.', 'DomainWebhookChange', {
            message: 'Webhook has been created',
            webhook: { urls: EXAMPLE_URLS },
          }),
          '400': error(
            'A bad webhook name or URL, more than 3 URLs, a missing field, or the webhook already exists ' +
              '(change it with PUT).',
          ),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v3/domains/{domain}/webhooks/{name}': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain'), parameter('WebhookName')],
      get: {
        operationId: 'getDomainWebhook',
        summary: "Get the URLs of one of the domain's webhooks.",
        tags: ['Domain webhooks'],
        security: MAILGUN,
        responses: {
          '200': json("The webhook's URLs.", 'DomainWebhook', {
            webhook: { urls: ['https://your_domain.com/v1/clicked'] },
          }),
          '400': error('A bad webhook name.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain, or the domain has no such webhook.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      put: {
        operationId: 'updateDomainWebhook',
        summary: "Replace the URLs of one of the domain's webhooks.",
        tags: ['Domain webhooks'],
        security: MAILGUN,
        requestBody: body('DomainWebhookUpdate'),
        responses: {
          '200': json('The webhook was updated.', 'DomainWebhookChange', {
            message: 'Webhook has been updated',
            webhook: { urls: ['https://your_domain.com/v1/clicked'] },
          }),
          '400': error('A bad webhook name or URL, more than 3 URLs, or no URL.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain, or the domain has no such webhook.'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      delete: {
        operationId: 'deleteDomainWebhook',
        summary: "Delete one of the domain's webhooks.",
        tags: ['Domain webhooks'],
        security: MAILGUN,
        responses: {
          '200': json('The webhook was deleted; these were its URLs.', 'DomainWebhookChange', {
            message: 'Webhook has been deleted',
            webhook: { urls: EXAMPLE_URLS },
          }),
          '400': error('A bad webhook name.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain, or the domain has no such webhook.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v3/domains/{domain}/webhooks/{name}/test': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain'), parameter('WebhookName')],
      put: {
        operationId: 'testDomainWebhook',
        summary: 'Send a test event of this type to a URL and report how the target answered.',
        description:
          'A target that cannot be reached answers 200 with `code` 0 and the error as `message`; a refused ' +
          'destination (a private address, unless allowed) or a bad URL answers 400. The test POST is ' +
          "signed with the caller's key only: it never carries `parent-signature`.",
        tags: ['Domain webhooks'],
        security: MAILGUN,
        requestBody: body('DomainWebhookTest'),
        responses: {
          '200': json("The target's answer.", 'WebhookTestResult', { code: 200, message: 'OK' }),
          '400': error('A bad webhook name, a bad URL, or a refused destination.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v4/domains/{domain}/webhooks': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain')],
      post: {
        operationId: 'createDomainWebhookUrl',
        summary: 'Add one URL to the webhooks of the given event types.',
        tags: ['Domain webhooks (v4)'],
        security: MAILGUN,
        requestBody: body('DomainWebhookUrl'),
        responses: {
          '200': json("The domain's webhooks, all event types, after the change.", 'DomainWebhooksChange'),
          '400': error('A bad URL or event type, a missing field, or a 4th URL for an event type.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      put: {
        operationId: 'updateDomainWebhookUrl',
        summary: 'Make one URL fire for exactly the given event types.',
        tags: ['Domain webhooks (v4)'],
        security: MAILGUN,
        requestBody: body('DomainWebhookUrl'),
        responses: {
          '200': json("The domain's webhooks, all event types, after the change.", 'DomainWebhooksChange'),
          '400': error('A bad URL or event type, a missing field, or a 4th URL for an event type.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      delete: {
        operationId: 'deleteDomainWebhookUrl',
        summary: 'Remove one URL from the webhooks of every event type.',
        tags: ['Domain webhooks (v4)'],
        security: MAILGUN,
        parameters: [
          {
            name: 'url',
            in: 'query',
            required: true,
            description: 'The URL to remove.',
            schema: { type: 'string', format: 'uri' },
          },
        ],
        responses: {
          '200': json("The domain's webhooks, all event types, after the change.", 'DomainWebhooksChange'),
          '400': error('A missing or bad `url`.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v1/webhooks': {
      parameters: [parameter('OnBehalfOf')],
      get: {
        operationId: 'listAccountWebhooks',
        summary: "List the account's account-level webhooks.",
        tags: ['Account webhooks'],
        security: MAILGUN,
        parameters: [
          {
            name: 'webhook_ids',
            in: 'query',
            required: false,
            description: 'Only these webhooks (a comma-separated list).',
            style: 'form',
            explode: false,
            schema: { type: 'array', items: { type: 'string' } },
          },
        ],
        responses: {
          '200': json("The account's webhooks.", 'AccountWebhookList'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      post: {
        operationId: 'createAccountWebhook',
        summary: 'Create an account-level webhook: one URL for the given event types on all domains.',
        tags: ['Account webhooks'],
        security: MAILGUN,
        requestBody: body('AccountWebhookCreate'),
        responses: {
          '200': json('The webhook was created.', 'AccountWebhookCreated'),
          '400': error(
            'A bad URL or event type, a missing field, or a 4th distinct URL for an event type among the ' +
              "account's webhooks.",
          ),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '409': error('The account already has a webhook with this URL (change its event types instead).'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      delete: {
        operationId: 'deleteAccountWebhooks',
        summary: "Delete some or all of the account's account-level webhooks.",
        tags: ['Account webhooks'],
        security: MAILGUN,
        parameters: [
          {
            name: 'webhook_ids',
            in: 'query',
            required: false,
            description: 'The webhooks to delete (a comma-separated list); or `all=true`.',
            style: 'form',
            explode: false,
            schema: { type: 'array', items: { type: 'string' } },
          },
          {
            name: 'all',
            in: 'query',
            required: false,
            description: 'Delete every account-level webhook of the account.',
            schema: { type: 'boolean' },
          },
        ],
        responses: {
          '200': json('The webhooks were deleted.', 'AccountWebhooksDeleted', {
            message: 'Webhooks have been deleted',
            deleted: 2,
          }),
          '400': error('Neither `webhook_ids` nor `all=true`.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v1/webhooks/{webhook_id}': {
      parameters: [parameter('OnBehalfOf'), parameter('WebhookId')],
      get: {
        operationId: 'getAccountWebhook',
        summary: 'Get one account-level webhook.',
        tags: ['Account webhooks'],
        security: MAILGUN,
        responses: {
          '200': json('The webhook.', 'AccountWebhook'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The account has no such webhook.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      put: {
        operationId: 'updateAccountWebhook',
        summary: "Change an account-level webhook's URL, event types and description.",
        tags: ['Account webhooks'],
        security: MAILGUN,
        requestBody: body('AccountWebhookUpdate'),
        responses: {
          '200': json('The webhook was updated.', 'AccountWebhookUpdated'),
          '400': error(
            "A bad URL or event type, or a 4th distinct URL for an event type among the account's webhooks.",
          ),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The account has no such webhook.'),
          '409': error('Another webhook of the account has this URL.'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      delete: {
        operationId: 'deleteAccountWebhook',
        summary: 'Delete one account-level webhook.',
        tags: ['Account webhooks'],
        security: MAILGUN,
        responses: {
          '200': json('The webhook was deleted.', 'Message', { message: 'Webhook has been deleted' }),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The account has no such webhook.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v4/domains': {
      parameters: [parameter('OnBehalfOf')],
      get: {
        operationId: 'listDomains',
        summary: "List the account's domains by name (a primary's subaccounts' too, if asked).",
        description:
          "Offset paging as Mailgun's: `limit` and `skip`, `total_count` in the answer. With " +
          "`include_subaccounts=true` a primary account's list holds its subaccounts' domains too, each with " +
          'its `subaccount_id` (act for it with `X-Mailgun-On-Behalf-Of`).',
        tags: ['Domains'],
        security: MAILGUN,
        parameters: [parameter('DomainListLimit'), parameter('ListSkip'), parameter('IncludeSubaccounts')],
        responses: {
          '200': json('A page of domains.', 'DomainList', {
            total_count: 2,
            items: [
              {
                name: 'mg.example.com',
                state: 'active',
                created_at: '2025-11-14T10:00:00.000Z',
                webhooks_redact_pii: false,
              },
              {
                name: 'eu.example.com',
                state: 'active',
                created_at: '2025-11-14T10:05:00.000Z',
                webhooks_redact_pii: false,
                subaccount_id: 'acc_2f1c9a7e4b3d',
              },
            ],
          }),
          '400': error('A bad `limit`, `skip` or `include_subaccounts`.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v4/domains/{domain}': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain')],
      get: {
        operationId: 'getDomain',
        summary: 'Get a domain and its webhook settings.',
        tags: ['Domains'],
        security: MAILGUN,
        responses: {
          '200': json('The domain.', 'DomainResponse'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      put: {
        operationId: 'updateDomain',
        summary: "Change a domain's PII redaction setting for webhooks.",
        tags: ['Domains'],
        security: MAILGUN,
        requestBody: body('DomainUpdate'),
        responses: {
          '200': json('The domain was updated.', 'DomainUpdated'),
          '400': error('A missing or bad `webhooks_redact_pii`.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v5/accounts/features': {
      parameters: [parameter('OnBehalfOf')],
      get: {
        operationId: 'getAccountFeatures',
        summary: "Get the account's features (PII redaction in webhooks).",
        tags: ['Account'],
        security: MAILGUN,
        responses: {
          '200': json("The account's features.", 'FeaturesResponse', {
            features: {
              webhooks_redact_pii: { enabled: false, inherited: false },
              standard_webhooks: { enabled: false },
              parent_signature: { enabled: true, inherited: false },
            },
          }),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      put: {
        operationId: 'updateAccountFeatures',
        summary: "Change the account's features; primary accounts only.",
        description:
          "A subaccount's PII and parent-signature settings follow its primary, so a subaccount setting either gets 403.",
        tags: ['Account'],
        security: MAILGUN,
        requestBody: body('FeaturesUpdate'),
        responses: {
          '200': json("The account's features after the change.", 'FeaturesResponse', {
            features: {
              webhooks_redact_pii: { enabled: true, inherited: false },
              standard_webhooks: { enabled: false },
              parent_signature: { enabled: false, inherited: false },
            },
          }),
          '400': error('No feature given, or a bad value (not JSON like `{"enabled": true}`).'),
          '401': response('Unauthorized'),
          '403': error('The account is a subaccount, or may not act for the account named.'),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v5/accounts/http_signing_key': {
      parameters: [parameter('OnBehalfOf')],
      get: {
        operationId: 'getHttpSigningKey',
        summary: "Get the account's HTTP webhook signing key.",
        tags: ['Account'],
        security: MAILGUN,
        responses: {
          '200': json('The signing key.', 'SigningKey'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
      post: {
        operationId: 'regenerateHttpSigningKey',
        summary: "Replace the account's HTTP webhook signing key with a new random one.",
        tags: ['Account'],
        security: MAILGUN,
        responses: {
          '200': json('The new signing key.', 'SigningKeyRegenerated'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v5/accounts/subaccounts': {
      parameters: [parameter('OnBehalfOf')],
      get: {
        operationId: 'listSubaccounts',
        summary: "List a primary account's subaccounts by name.",
        description: "Offset paging as Mailgun's: `limit` and `skip`, `total` in the answer.",
        tags: ['Account'],
        security: MAILGUN,
        parameters: [parameter('SubaccountListLimit'), parameter('ListSkip')],
        responses: {
          '200': json('A page of subaccounts.', 'SubaccountList', {
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
          '401': response('Unauthorized'),
          '403': error('The account is a subaccount, or may not act for the account named.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v3/domains/{domain}/webhook-failures': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain')],
      get: {
        operationId: 'listDomainWebhookFailures',
        summary: "List the domain's failed webhook deliveries, newest first.",
        description: FAILURE_LIST_RULES,
        tags: ['Failure log'],
        security: MAILGUN,
        parameters: FAILURE_FILTERS,
        responses: {
          '200': json(
            'A page of failures and the links to the pages around it.',
            'WebhookFailurePage',
            FAILURE_PAGE_EXAMPLE,
          ),
          '400': error('A bad filter: `event`, `url`, `begin`, `end`, `limit` or `page`.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain.'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v3/domains/{domain}/webhook-failures/{event_id}/resend': {
      parameters: [parameter('OnBehalfOf'), parameter('Domain'), parameter('EventId')],
      post: {
        operationId: 'resendWebhookFailure',
        summary: "Beyond Mailgun: send an event's failed deliveries again.",
        description:
          'Puts the deliveries of the event to `url` (or to every URL it failed on) back on the delivery queue ' +
          'as manual attempts numbered one above the highest so far. Only deliveries whose failure is final ' +
          '(rejected, or dropped when the retry schedule was used up) are resent; a delivery still being ' +
          'retried or resent, or delivered since, is left alone. `url` may also be given in the query.',
        tags: ['Failure log'],
        security: MAILGUN,
        requestBody: {
          description: 'Optionally, the one URL to resend to.',
          required: false,
          content: {
            'multipart/form-data': { schema: schema('WebhookFailureResendForm') },
            'application/x-www-form-urlencoded': { schema: schema('WebhookFailureResendForm') },
          },
        },
        responses: {
          '200': json('The deliveries were queued.', 'WebhookFailureResent', {
            message: 'The deliveries have been queued for resending',
            deliveries: 2,
          }),
          '400': error('A bad `url`.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '404': error('The caller has no such domain, or the event no failure on it (to that URL).'),
          '409': error(
            'None of the deliveries has a final failure: still being retried or resent, or delivered since.',
          ),
          '413': response('PayloadTooLarge'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/v1/webhook-failures': {
      parameters: [parameter('OnBehalfOf')],
      get: {
        operationId: 'listAccountWebhookFailures',
        summary: "List the account's failed webhook deliveries on all its domains, newest first.",
        description: `${FAILURE_LIST_RULES} A primary account sees its subaccounts' failures too; a subaccount only its own.`,
        tags: ['Failure log'],
        security: MAILGUN,
        parameters: FAILURE_FILTERS,
        responses: {
          '200': json('A page of failures and the links to the pages around it.', 'WebhookFailurePage'),
          '400': error('A bad filter: `event`, `url`, `begin`, `end`, `limit` or `page`.'),
          '401': response('Unauthorized'),
          '403': response('Forbidden'),
          '429': response('RateLimited'),
          '503': response('Unavailable'),
        },
      },
    },
    '/internal/v1/accounts': {
      post: {
        operationId: 'createAccount',
        summary: 'Create an account (primary, or a subaccount of a primary) with its first API key.',
        tags: ['Provisioning'],
        security: INTERNAL,
        requestBody: body('AccountCreate'),
        responses: {
          '201': json('The account, with its API key and signing key (shown only here).', 'CreatedAccount'),
          '400': error('A bad body, or the parent is itself a subaccount.'),
          '401': response('Unauthorized'),
          '404': error('No such parent account.'),
          '413': response('PayloadTooLarge'),
          '503': response('Unavailable'),
        },
      },
    },
    '/internal/v1/domains': {
      post: {
        operationId: 'createDomain',
        summary: 'Create a domain owned by an account.',
        tags: ['Provisioning'],
        security: INTERNAL,
        requestBody: body('DomainCreate'),
        responses: {
          '201': json('The domain (its name in lower case).', 'CreatedDomain'),
          '400': error('A bad body or domain name.'),
          '401': response('Unauthorized'),
          '404': error('No such account.'),
          '409': error('The domain already exists.'),
          '413': response('PayloadTooLarge'),
          '503': response('Unavailable'),
        },
      },
    },
    '/internal/v1/accounts/{account_id}/keys': {
      parameters: [parameter('AccountId')],
      post: {
        operationId: 'createApiKey',
        summary: 'Create another API key for an account.',
        tags: ['Provisioning'],
        security: INTERNAL,
        requestBody: body('ApiKeyCreate'),
        responses: {
          '201': json('The API key (shown only here).', 'CreatedApiKey'),
          '400': error('A bad body.'),
          '401': response('Unauthorized'),
          '404': error('No such account.'),
          '413': response('PayloadTooLarge'),
          '503': response('Unavailable'),
        },
      },
    },
    '/internal/v1/accounts/{account_id}/keys/{key_id}': {
      parameters: [parameter('AccountId'), parameter('KeyId')],
      delete: {
        operationId: 'revokeApiKey',
        summary: 'Revoke one API key of an account.',
        tags: ['Provisioning'],
        security: INTERNAL,
        responses: {
          '200': json('The key was revoked.', 'Message', { message: 'API key revoked' }),
          '401': response('Unauthorized'),
          '404': error('The account has no such key.'),
          '503': response('Unavailable'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: "This API's OpenAPI 3.1 document.",
        tags: ['Meta'],
        security: PUBLIC,
        responses: {
          '200': {
            description: 'This document.',
            content: { 'application/json': { schema: { type: 'object', description: 'OpenAPI 3.1.0' } } },
          },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      basicAuth: {
        type: 'http',
        scheme: 'basic',
        description:
          'Mailgun API: user `api`, password an API key of the account. A primary account acts for one of ' +
          'its subaccounts with the `X-Mailgun-On-Behalf-Of` header.',
      },
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'Internal API: `Authorization: Bearer $ADMIN_TOKEN`.',
      },
    },
    parameters: {
      OnBehalfOf: {
        name: 'X-Mailgun-On-Behalf-Of',
        in: 'header',
        required: false,
        description:
          "A subaccount's id: a primary account's key then acts for that subaccount (any other account: 403).",
        schema: { type: 'string' },
      },
      Domain: {
        name: 'domain',
        in: 'path',
        required: true,
        description: 'The domain name (case-insensitive).',
        schema: { type: 'string', maxLength: 253 },
        example: 'mg.example.com',
      },
      WebhookName: {
        name: 'name',
        in: 'path',
        required: true,
        description: 'The webhook: an event type (`unsubscribe` is accepted for `unsubscribed`).',
        schema: schema('WebhookName'),
        example: 'clicked',
      },
      WebhookId: {
        name: 'webhook_id',
        in: 'path',
        required: true,
        description: 'An account-level webhook id.',
        schema: { type: 'string' },
      },
      AccountId: {
        name: 'account_id',
        in: 'path',
        required: true,
        description: 'An account id.',
        schema: { type: 'string' },
      },
      KeyId: {
        name: 'key_id',
        in: 'path',
        required: true,
        description: 'An API key id.',
        schema: { type: 'string' },
      },
      EventId: {
        name: 'event_id',
        in: 'path',
        required: true,
        description: "A mail event's id (`event_id` of a failure).",
        schema: { type: 'string' },
      },
      FailureEvent: {
        name: 'event',
        in: 'query',
        required: false,
        description:
          'Only failures of this event type, or of several joined by ` OR ` (`opened OR clicked`); `failed` ' +
          'stands for both failure types.',
        schema: { type: 'string' },
        example: 'opened OR clicked',
      },
      FailureUrl: {
        name: 'url',
        in: 'query',
        required: false,
        description: 'Only failures of deliveries to this URL.',
        schema: { type: 'string', format: 'uri' },
      },
      FailureBegin: {
        name: 'begin',
        in: 'query',
        required: false,
        description: 'Only failures at or after this time: epoch seconds or an RFC 2822 date.',
        schema: { type: 'string' },
        example: 'Fri, 14 Nov 2025 10:00:00 +0000',
      },
      FailureEnd: {
        name: 'end',
        in: 'query',
        required: false,
        description:
          'Only failures at or before this time: epoch seconds or an RFC 2822 date. A `begin` after `end` ' +
          'is the same range.',
        schema: { type: 'string' },
        example: '1763114400',
      },
      FailureLimit: {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'Failures per page.',
        schema: { type: 'integer', minimum: 1, maximum: 300, default: 100 },
      },
      FailurePage: {
        name: 'page',
        in: 'query',
        required: false,
        description: 'An opaque page token, as the `paging` links of an answer carry it.',
        schema: { type: 'string' },
      },
      DomainListLimit: {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'Domains per page.',
        schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      },
      SubaccountListLimit: {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'Subaccounts per page.',
        schema: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
      },
      ListSkip: {
        name: 'skip',
        in: 'query',
        required: false,
        description: 'How many items of the list to skip.',
        schema: { type: 'integer', minimum: 0, maximum: 10000000, default: 0 },
      },
      IncludeSubaccounts: {
        name: 'include_subaccounts',
        in: 'query',
        required: false,
        description: "A primary account's subaccounts' domains too.",
        schema: { type: 'boolean', default: false },
      },
    },
    requestBodies: {
      DomainWebhookCreate: form('DomainWebhookCreateForm', ['url'], 'The event type and its URLs.'),
      DomainWebhookUpdate: form('DomainWebhookUrlsForm', ['url'], "The webhook's new URLs."),
      DomainWebhookTest: form('DomainWebhookTestForm', [], 'The URL to send the test event to.'),
      DomainWebhookUrl: form('DomainWebhookUrlForm', ['event_types'], 'The URL and its event types.'),
      AccountWebhookCreate: form('AccountWebhookForm', ['event_types'], 'The new webhook.'),
      AccountWebhookUpdate: form(
        'AccountWebhookUpdateForm',
        ['event_types'],
        "The webhook's new settings: any of url, event_types, description (at least one).",
      ),
      DomainUpdate: form('DomainUpdateForm', [], 'The new setting.'),
      FeaturesUpdate: form('FeaturesUpdateForm', [], 'The new features.'),
      AccountCreate: jsonBody('AccountCreateRequest', true),
      DomainCreate: jsonBody('DomainCreateRequest', true),
      ApiKeyCreate: jsonBody('ApiKeyCreateRequest', false),
    },
    responses: {
      Unauthorized: {
        description: 'Missing or wrong credentials.',
        headers: {
          'WWW-Authenticate': { description: 'Always `Basic realm="MG API"`.', schema: { type: 'string' } },
        },
        content: {
          'application/json': { schema: schema('Error'), example: { message: 'Forbidden' } },
        },
      },
      Forbidden: {
        description:
          'An action the account may not take, such as acting for an account that is not one of its ' +
          'subaccounts.',
        content: { 'application/json': { schema: schema('Error') } },
      },
      PayloadTooLarge: {
        description: 'The body is over 64 KiB.',
        content: {
          'application/json': { schema: schema('Error'), example: { message: 'Request body is too large' } },
        },
      },
      RateLimited: {
        description:
          'Over 300 requests per minute for the account; the account is blocked for `retry-seconds`.',
        content: {
          'application/json': { schema: schema('RateLimited') },
        },
      },
      Unavailable: {
        description: 'PostgreSQL is unreachable; retry later.',
        content: {
          'application/json': {
            schema: schema('Error'),
            example: { message: 'Service temporarily unavailable, retry later' },
          },
        },
      },
    },
    schemas: {
      Error: {
        type: 'object',
        description: "Every error, in Mailgun's shape.",
        required: ['message'],
        properties: { message: { type: 'string' } },
      },
      RateLimited: {
        type: 'object',
        required: ['message', 'retry-seconds'],
        properties: {
          message: { type: 'string' },
          'retry-seconds': {
            type: 'integer',
            description: 'Seconds until the account may call again.',
            examples: [60],
          },
        },
      },
      Message: {
        type: 'object',
        required: ['message'],
        properties: { message: { type: 'string' } },
      },
      EventType: {
        type: 'string',
        description: 'A webhook event type.',
        enum: [...WEBHOOK_EVENT_TYPES],
      },
      WebhookName: {
        type: 'string',
        description:
          'A webhook name: an event type, or `unsubscribe` (as mailgun.js sends it) for `unsubscribed`.',
        enum: [...WEBHOOK_EVENT_TYPES, 'unsubscribe'],
      },
      WebhookUrl: { type: 'string', format: 'uri', maxLength: 2048, description: WEBHOOK_URL_RULES },
      WebhookUrls: {
        type: 'object',
        required: ['urls'],
        properties: {
          urls: { type: 'array', items: schema('WebhookUrl'), minItems: 1, maxItems: 3 },
        },
      },
      DomainWebhooks: {
        type: 'object',
        description: 'The URLs of each event type that has any; event types without URLs are absent.',
        properties: Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [type, schema('WebhookUrls')])),
        additionalProperties: false,
      },
      DomainWebhookList: {
        type: 'object',
        required: ['webhooks'],
        properties: { webhooks: schema('DomainWebhooks') },
      },
      DomainWebhook: {
        type: 'object',
        required: ['webhook'],
        properties: { webhook: schema('WebhookUrls') },
      },
      DomainWebhookChange: {
        type: 'object',
        required: ['message', 'webhook'],
        properties: {
          message: {
            type: 'string',
            examples: ['Webhook has been created', 'Webhook has been updated', 'Webhook has been deleted'],
          },
          webhook: schema('WebhookUrls'),
        },
      },
      DomainWebhooksChange: {
        type: 'object',
        required: ['message', 'webhooks'],
        properties: { message: { type: 'string' }, webhooks: schema('DomainWebhooks') },
      },
      WebhookTestResult: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: {
            type: 'integer',
            description: "The target's HTTP status; 0 when it could not be reached.",
            examples: [200, 0],
          },
          message: text("The target's response body (at most 1 KiB), or why it could not be reached."),
        },
      },
      AccountWebhook: {
        type: 'object',
        required: ['webhook_id', 'url', 'description', 'event_types', 'created_at'],
        properties: {
          webhook_id: { type: 'string' },
          url: schema('WebhookUrl'),
          description: text('Free text; empty when none was given.'),
          event_types: { type: 'array', items: schema('EventType'), minItems: 1, uniqueItems: true },
          created_at: text('When the webhook was created.'),
        },
      },
      AccountWebhookList: {
        type: 'object',
        required: ['webhooks'],
        properties: { webhooks: { type: 'array', items: schema('AccountWebhook') } },
      },
      AccountWebhookCreated: {
        type: 'object',
        required: ['webhook_id'],
        properties: { webhook_id: { type: 'string' } },
      },
      AccountWebhookUpdated: {
        allOf: [
          schema('AccountWebhook'),
          {
            type: 'object',
            required: ['message'],
            properties: { message: messageOf('Webhook has been updated') },
          },
        ],
      },
      AccountWebhooksDeleted: {
        type: 'object',
        required: ['message', 'deleted'],
        properties: {
          message: messageOf('Webhooks have been deleted'),
          deleted: { type: 'integer', minimum: 0, description: 'How many webhooks were deleted.' },
        },
      },
      Domain: {
        type: 'object',
        required: ['name', 'state', 'created_at', 'webhooks_redact_pii'],
        properties: {
          name: { type: 'string', examples: ['mg.example.com'] },
          state: { type: 'string', examples: ['active'] },
          created_at: text('When the domain was created.'),
          webhooks_redact_pii: {
            type: 'boolean',
            description: "Whether webhooks of this domain's events carry no personal data.",
          },
        },
      },
      DomainListItem: {
        allOf: [
          schema('Domain'),
          {
            type: 'object',
            properties: {
              subaccount_id: text("On a subaccount's domain (listed to its primary): the subaccount."),
            },
          },
        ],
      },
      DomainList: {
        type: 'object',
        required: ['total_count', 'items'],
        properties: {
          total_count: { type: 'integer', description: 'Domains in the whole list.' },
          items: { type: 'array', items: schema('DomainListItem') },
        },
      },
      Subaccount: {
        type: 'object',
        required: ['id', 'name', 'status', 'created_at'],
        properties: {
          id: text('The subaccount id (for `X-Mailgun-On-Behalf-Of`).'),
          name: { type: 'string', examples: ['Acme EU'] },
          status: { type: 'string', enum: ['open'] },
          created_at: text('When the subaccount was created.'),
        },
      },
      SubaccountList: {
        type: 'object',
        required: ['subaccounts', 'total'],
        properties: {
          subaccounts: { type: 'array', items: schema('Subaccount') },
          total: { type: 'integer', description: 'Subaccounts in the whole list.' },
        },
      },
      DomainResponse: {
        type: 'object',
        required: ['domain'],
        properties: { domain: schema('Domain') },
      },
      DomainUpdated: {
        type: 'object',
        required: ['message', 'domain'],
        properties: { message: messageOf('Domain has been updated'), domain: schema('Domain') },
      },
      Feature: {
        type: 'object',
        required: ['enabled', 'inherited'],
        properties: {
          enabled: { type: 'boolean' },
          inherited: {
            type: 'boolean',
            description: "Whether the value is the primary account's (a subaccount's always is).",
          },
        },
      },
      Features: {
        type: 'object',
        required: ['webhooks_redact_pii', 'standard_webhooks', 'parent_signature'],
        properties: {
          webhooks_redact_pii: schema('Feature'),
          parent_signature: {
            ...schema('Feature'),
            description:
              "Whether POSTs to URLs the primary's subaccounts own carry `parent-signature` (the primary's key; default on, as Mailgun). A primary account's setting; a subaccount sees its primary's (inherited). URLs among the primary's own account-level webhooks always carry it.",
          },
          standard_webhooks: {
            type: 'object',
            description:
              'Beyond Mailgun: Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) on every POST of the account, besides the Mailgun signature.',
            required: ['enabled'],
            properties: { enabled: { type: 'boolean' } },
          },
        },
      },
      FeaturesResponse: {
        type: 'object',
        required: ['features'],
        properties: { features: schema('Features') },
      },
      SigningKey: {
        type: 'object',
        required: ['http_signing_key', 'standard_webhooks_secret'],
        properties: {
          http_signing_key: { type: 'string' },
          standard_webhooks_secret: {
            type: 'string',
            description: 'The same key as a Standard Webhooks secret: `whsec_` + base64 of the key.',
          },
        },
      },
      SigningKeyRegenerated: {
        type: 'object',
        required: ['message', 'http_signing_key', 'standard_webhooks_secret'],
        properties: {
          message: messageOf('New HTTP signing key generated'),
          http_signing_key: { type: 'string' },
          standard_webhooks_secret: { type: 'string' },
        },
      },
      DomainWebhookCreateForm: {
        type: 'object',
        required: ['id', 'url'],
        properties: {
          id: schema('WebhookName'),
          url: {
            type: 'array',
            description: 'Repeat the field for each URL (1 to 3).',
            items: schema('WebhookUrl'),
            minItems: 1,
            maxItems: 3,
          },
        },
      },
      DomainWebhookUrlsForm: {
        type: 'object',
        required: ['url'],
        properties: {
          url: {
            type: 'array',
            description: 'Repeat the field for each URL (1 to 3).',
            items: schema('WebhookUrl'),
            minItems: 1,
            maxItems: 3,
          },
        },
      },
      DomainWebhookTestForm: {
        type: 'object',
        required: ['url'],
        properties: { url: schema('WebhookUrl') },
      },
      DomainWebhookUrlForm: {
        type: 'object',
        required: ['url', 'event_types'],
        properties: {
          url: schema('WebhookUrl'),
          event_types: {
            type: 'array',
            description: 'Repeat the field for each event type.',
            items: schema('EventType'),
            minItems: 1,
          },
        },
      },
      AccountWebhookForm: {
        type: 'object',
        required: ['url', 'event_types'],
        properties: {
          url: schema('WebhookUrl'),
          event_types: {
            type: 'array',
            description: 'Repeat the field for each event type.',
            items: schema('EventType'),
            minItems: 1,
          },
          description: { type: 'string', maxLength: 500 },
        },
      },
      AccountWebhookUpdateForm: {
        type: 'object',
        minProperties: 1,
        properties: {
          url: schema('WebhookUrl'),
          event_types: {
            type: 'array',
            description: 'Repeat the field for each event type; replaces the current list.',
            items: schema('EventType'),
            minItems: 1,
          },
          description: { type: 'string', maxLength: 500 },
        },
      },
      DomainUpdateForm: {
        type: 'object',
        required: ['webhooks_redact_pii'],
        properties: { webhooks_redact_pii: { type: 'boolean', description: '`true` or `false`.' } },
      },
      FeaturesUpdateForm: {
        type: 'object',
        minProperties: 1,
        description:
          'At least one feature; `webhooks_redact_pii` and `parent_signature` on primary accounts only (403).',
        properties: {
          parent_signature: {
            type: 'string',
            description:
              'A JSON object, e.g. `{"enabled": false}`: off, POSTs to URLs the subaccounts own carry no `parent-signature`.',
            contentMediaType: 'application/json',
            contentSchema: {
              type: 'object',
              required: ['enabled'],
              properties: { enabled: { type: 'boolean' } },
            },
          },
          webhooks_redact_pii: {
            type: 'string',
            description: 'A JSON object, e.g. `{"enabled": true}`.',
            contentMediaType: 'application/json',
            contentSchema: {
              type: 'object',
              required: ['enabled'],
              properties: { enabled: { type: 'boolean' } },
            },
          },
          standard_webhooks: {
            type: 'string',
            description: 'A JSON object, e.g. `{"enabled": true}`.',
            contentMediaType: 'application/json',
            contentSchema: {
              type: 'object',
              required: ['enabled'],
              properties: { enabled: { type: 'boolean' } },
            },
          },
        },
      },
      AccountCreateRequest: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200, description: 'Trimmed.' },
          parent_account_id: {
            type: ['string', 'null'],
            minLength: 1,
            description: 'The primary account, for a subaccount.',
          },
        },
      },
      DomainCreateRequest: {
        type: 'object',
        required: ['name', 'account_id'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 253, examples: ['mg.example.com'] },
          account_id: { type: 'string', minLength: 1 },
        },
      },
      ApiKeyCreateRequest: {
        type: 'object',
        properties: { description: { type: 'string' } },
      },
      CreatedAccount: {
        type: 'object',
        required: ['id', 'name', 'parent_account_id', 'api_key', 'signing_key'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          parent_account_id: { type: ['string', 'null'] },
          api_key: { type: 'string', examples: ['key-3ax6xnjp29jd6fds4gc373sgvjxteol0'] },
          signing_key: text('The HTTP webhook signing key.'),
        },
      },
      CreatedDomain: {
        type: 'object',
        required: ['name', 'account_id'],
        properties: { name: { type: 'string' }, account_id: { type: 'string' } },
      },
      CreatedApiKey: {
        type: 'object',
        required: ['id', 'api_key', 'description'],
        properties: {
          id: { type: 'string' },
          api_key: { type: 'string' },
          description: { type: 'string' },
        },
      },
      WebhookFailure: {
        type: 'object',
        description: 'One attempt that did not deliver.',
        required: [
          'timestamp',
          'url',
          'reason',
          'http_status',
          'event',
          'event_id',
          'message_id',
          'domain',
          'attempt',
          'final',
        ],
        properties: {
          timestamp: { type: 'number', description: 'When the attempt was made, in epoch seconds.' },
          url: { type: 'string' },
          reason: text(
            "The target's status and the start of its body, or the error (timeout, connection, ...).",
          ),
          http_status: {
            type: ['integer', 'null'],
            description: 'null when no HTTP answer came (timeout, connection error, given up).',
          },
          event: schema('EventType'),
          event_id: { type: 'string' },
          message_id: { type: 'string' },
          domain: { type: 'string' },
          attempt: { type: 'integer', minimum: 1, description: 'The attempt number of the delivery.' },
          final: {
            type: 'boolean',
            description: 'Nothing follows: rejected (406) or given up on; otherwise it is retried.',
          },
        },
      },
      Paging: {
        type: 'object',
        description: 'Full URLs of the newest, oldest, older and newer pages (same filters).',
        required: ['first', 'last', 'next', 'previous'],
        properties: {
          first: { type: 'string', format: 'uri' },
          last: { type: 'string', format: 'uri' },
          next: { type: 'string', format: 'uri' },
          previous: { type: 'string', format: 'uri' },
        },
      },
      WebhookFailurePage: {
        type: 'object',
        required: ['items', 'paging'],
        properties: { items: { type: 'array', items: schema('WebhookFailure') }, paging: schema('Paging') },
      },
      WebhookFailureResendForm: {
        type: 'object',
        properties: { url: schema('WebhookUrl') },
      },
      WebhookFailureResent: {
        type: 'object',
        required: ['message', 'deliveries'],
        properties: {
          message: messageOf('The deliveries have been queued for resending'),
          deliveries: { type: 'integer', minimum: 1, description: 'How many deliveries were queued.' },
        },
      },
    },
  },
};
