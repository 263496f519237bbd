import { z } from 'zod';

/**
 * Answers every area of the REST API shares, as zod schemas: the OpenAPI document is generated from them
 * (and from each area's *.schemas.ts), and tests check real answers and the document's examples with them.
 */

export const errorAnswer = z
  .object({ message: z.string() })
  .meta({ id: 'Error', description: "Every error, in Mailgun's shape." });

export const rateLimitedAnswer = z
  .object({
    message: z.string(),
    'retry-seconds': z
      .int()
      .meta({ description: 'Seconds until the account may call again.', examples: [60] }),
  })
  .meta({ id: 'RateLimited' });

export const messageAnswer = z.object({ message: z.string() }).meta({ id: 'Message' });

/** A fixed message, shown as an example. */
export const messageText = (message: string) => z.string().meta({ examples: [message] });
