import { z } from 'zod';
import { errorAnswer, rateLimitedAnswer } from '../answers';
import { webhookName } from '../webhooks/forms';
import { INTERNAL, json, MAILGUN, param, response } from './builder';
import type { Operation, Parameter, Reference, Response, SecurityScheme } from './types';

/** What the routes of every area share: credentials, the header and path parameters, the common answers. */

export const SECURITY_SCHEMES: Record<string, SecurityScheme> = {
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
};

export const COMMON_PARAMETERS: Record<string, Parameter> = {
  OnBehalfOf: param('X-Mailgun-On-Behalf-Of', 'header', z.string(), {
    description:
      "A subaccount's id: a primary account's key then acts for that subaccount (any other account: 403).",
  }),
  Domain: param('domain', 'path', z.string().max(253), {
    description: 'The domain name (case-insensitive).',
    example: 'mg.example.com',
  }),
  WebhookName: param('name', 'path', webhookName, {
    description: 'The webhook: an event type (`unsubscribe` is accepted for `unsubscribed`).',
    example: 'clicked',
  }),
};

const errorWith = (description: string, example: unknown): Response =>
  json(description, errorAnswer, example);

const unauthorized = errorWith('Missing or wrong credentials.', { message: 'Invalid private key' });

export const COMMON_RESPONSES: Record<string, Response> = {
  Unauthorized: {
    description: unauthorized.description,
    headers: {
      'WWW-Authenticate': { description: 'Always `Basic realm="MG API"`.', schema: { type: 'string' } },
    },
    content: unauthorized.content,
  },
  Forbidden: json(
    'An action the account may not take, such as acting for an account that is not one of its subaccounts.',
    errorAnswer,
  ),
  PayloadTooLarge: errorWith('The body is over 64 KiB.', { message: 'Request body is too large' }),
  RateLimited: json(
    'Over 300 requests per minute for the account; the account is blocked for `retry-seconds`.',
    rateLimitedAnswer,
  ),
  Unavailable: errorWith('PostgreSQL is unreachable; retry later.', {
    message: 'Service temporarily unavailable, retry later',
  }),
};

type Answers = Record<string, Response | Reference>;
type Described = Omit<Operation, 'security' | 'responses'> & { responses: Answers };

/**
 * An operation of the Mailgun API: basic auth, and besides its own answers those every Mailgun route
 * gives (401, 403, 413 when it takes a body, 429 over the rate limit, 503); its own win.
 */
export function mailgun(operation: Described): Operation {
  const common: Answers = {
    '401': response('Unauthorized'),
    '403': response('Forbidden'),
    ...(operation.requestBody && { '413': response('PayloadTooLarge') }),
    '429': response('RateLimited'),
    '503': response('Unavailable'),
  };
  return { ...operation, security: MAILGUN, responses: { ...common, ...operation.responses } };
}

/** An operation of the internal API: the admin token; 401, 413 when it takes a body, 503. */
export function internal(operation: Described): Operation {
  const common: Answers = {
    '401': response('Unauthorized'),
    ...(operation.requestBody && { '413': response('PayloadTooLarge') }),
    '503': response('Unavailable'),
  };
  return { ...operation, security: INTERNAL, responses: { ...common, ...operation.responses } };
}
