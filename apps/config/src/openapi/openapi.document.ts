import { z } from 'zod';
import { PUBLIC, type ApiArea } from './builder';
import { COMMON_PARAMETERS, COMMON_RESPONSES, SECURITY_SCHEMES } from './common';
import { componentSchemas } from './json-schema';
import { ACCOUNT_WEBHOOKS } from './routes/account-webhooks';
import { DOMAIN_WEBHOOKS } from './routes/domain-webhooks';
import { FAILURE_LOG } from './routes/failure-log';
import { PROVISIONING } from './routes/provisioning';
import { SETTINGS } from './routes/settings';
import { SIGNING_KEY } from './routes/signing-key';
// After the others: the components its schemas add come last in the document.
import { ACCOUNT_LISTS } from './routes/accounts';
import type { OpenApiDocument } from './types';

export { HTTP_METHODS, type HttpMethod, type OpenApiDocument, type Operation, type PathItem } from './types';

/**
 * The OpenAPI 3.1 description of the config service's REST API (docs/api.md is the prose), generated
 * from the zod schemas the controllers validate requests with and the answers' schemas (each area's
 * *.schemas.ts), by zod's own JSON Schema output (./json-schema.ts), and the route registrations in
 * ./routes. Served at `GET /openapi.json` and written to docs/openapi.json by `npm run openapi:write`;
 * a unit test keeps the two equal and checks the document's structure.
 *
 * Why not a library such as @asteasolutions/zod-to-openapi: zod 4 writes JSON Schema 2020-12 itself,
 * which is OpenAPI 3.1's schema dialect, and its registry gives the components and their `$ref`s; what
 * a library adds is the operation plumbing, which here is a few typed helpers (./builder.ts) keeping
 * the document's shared parameters, bodies and answers as they were, without patching zod's prototype
 * or another dependency to keep in step with zod.
 */

const AREAS: ApiArea[] = [
  DOMAIN_WEBHOOKS,
  ACCOUNT_WEBHOOKS,
  ACCOUNT_LISTS,
  SETTINGS,
  SIGNING_KEY,
  FAILURE_LOG,
  PROVISIONING,
];

const META: ApiArea = {
  paths: {
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
};

const merged = <K extends keyof ApiArea>(key: K) =>
  Object.assign({}, ...[...AREAS, META].map((area) => area[key] ?? {})) as NonNullable<ApiArea[K]>;

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
  paths: merged('paths'),
  components: {
    securitySchemes: SECURITY_SCHEMES,
    parameters: { ...COMMON_PARAMETERS, ...merged('parameters') },
    requestBodies: merged('requestBodies'),
    responses: COMMON_RESPONSES,
    schemas: componentSchemas(),
  },
};

/** The zod schema of a component, for tests that check examples and real answers against the document. */
export function componentSchema(id: string): z.ZodType | undefined {
  return z.globalRegistry._idmap.get(id) as z.ZodType | undefined;
}
