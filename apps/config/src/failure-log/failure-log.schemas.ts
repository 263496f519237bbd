import { z } from 'zod';
import { eventType, oneUrl, optionalField } from '../webhooks/forms';
import { DEFAULT_LIMIT, MAX_LIMIT } from '@hookpost/domain';

/**
 * The failure log's API: the resend form the controller validates, the list's query parameters (which
 * parseFailureQuery checks, with the same bounds), and the answers.
 */

// ---- Forms and query ----

/** The one URL to resend to, from the form or else the query; none: every URL the event failed on. */
export const resendForm = z.object({ url: optionalField(oneUrl) }).meta({ id: 'WebhookFailureResendForm' });

export const failureQuery = {
  event: z.string(),
  url: z.url(),
  begin: z.string(),
  end: z.string(),
  limit: z.int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  page: z.string(),
};

// ---- Answers ----

export const failureAnswer = z
  .object({
    timestamp: z.number().describe('When the attempt was made, in epoch seconds.'),
    url: z.string(),
    reason: z
      .string()
      .describe("The target's status and the start of its body, or the error (timeout, connection, ...)."),
    http_status: z
      .int()
      .nullable()
      .describe('null when no HTTP answer came (timeout, connection error, given up).'),
    event: eventType,
    event_id: z.string(),
    message_id: z.string(),
    domain: z.string(),
    attempt: z.int().min(1).describe('The attempt number of the delivery.'),
    final: z.boolean().describe('Nothing follows: rejected (406) or given up on; otherwise it is retried.'),
  })
  .meta({ id: 'WebhookFailure', description: 'One attempt that did not deliver.' });

export const pagingAnswer = z
  .object({ first: z.url(), last: z.url(), next: z.url(), previous: z.url() })
  .meta({
    id: 'Paging',
    description: 'Full URLs of the newest, oldest, older and newer pages (same filters).',
  });

export const failurePageAnswer = z
  .object({ items: z.array(failureAnswer), paging: pagingAnswer })
  .meta({ id: 'WebhookFailurePage' });

export const resentAnswer = z
  .object({
    message: z.string().meta({
      examples: [
        'The deliveries have been queued for resending',
        'The delivery has been queued for resending',
      ],
    }),
    deliveries: z.int().min(1).describe('How many deliveries were queued.'),
  })
  .meta({ id: 'WebhookFailureResent' });
