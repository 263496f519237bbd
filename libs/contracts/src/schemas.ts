import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './event-types';

const eventType = z.enum(WEBHOOK_EVENT_TYPES);

/** 9999-12-31T23:59:59.999Z. */
export const MAX_EPOCH_MS = 253_402_300_799_999;
/**
 * A mail event's data: any JSON object, passed on as it is (ingest validates what it needs of it). Not
 * z.record(z.string(), z.unknown()): that checks and copies every key, which was most of the cost of
 * decoding a delivery attempt (the same result for JSON input, whose object keys are strings).
 */
const eventData = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { message: 'Invalid input: expected an object' },
);

/** `webhook.events` and `webhook.events.redacted`: a validated, normalised mail event. */
export const webhookEventSchema = z.object({
  event_id: z.string().min(1),
  webhook: eventType,
  domain: z.string().min(1),
  message_id: z.string().min(1),
  timestamp: z.number(),
  received_at: z.number().int(),
  redacted: z.boolean(),
  event_data: eventData,
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export const DELIVERY_LEVELS = ['domain', 'account'] as const;
export const DELIVERY_TRIGGERS = ['initial', 'retry', 'manual'] as const;

/** `webhook.deliveries`, `webhook.retry.*`, `webhook.deliveries.dead`: one job per (event, URL). */
export const deliveryJobSchema = z.object({
  delivery_id: z.string().min(1),
  event_id: z.string().min(1),
  webhook: eventType,
  domain: z.string().min(1),
  message_id: z.string().min(1),
  url: z.string().url(),
  level: z.enum(DELIVERY_LEVELS),
  attempt: z.number().int().min(1),
  trigger: z.enum(DELIVERY_TRIGGERS),
  created_at: z.number().int(),
  due_at: z.number().int(),
  event_data: eventData,
  /**
   * The account whose webhook this URL is (the domain's owner, or the primary whose account-level
   * webhook fires for its subaccount's domain): whose failure log shows the delivery. Absent in jobs
   * made before it existed.
   */
  webhook_account_id: z.string().min(1).optional(),
});
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

export const ATTEMPT_OUTCOMES = ['delivered', 'rejected', 'failed', 'dropped'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export const ERROR_CLASSES = [
  'http_status',
  'timeout',
  'connection',
  'dns',
  'destination_refused',
  'invalid_url',
  'no_signing_key',
  'schedule_exhausted',
  'retry_excluded',
  // The dispatcher stopped (killed, or its shutdown deadline passed) after writing the request and before
  // recording its outcome: the POST may have arrived. The job is redelivered from its topic, so it is
  // made again; this event only records that the earlier POST happened.
  'interrupted',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** `webhook.delivery-attempts`: one event per attempt, the source of truth for retries and failure logs. */
export const deliveryAttemptSchema = z.object({
  attempt_id: z.string().min(1),
  delivery_id: z.string().min(1),
  event_id: z.string().min(1),
  webhook: eventType,
  domain: z.string().min(1),
  account_id: z.string().nullable(),
  /** The job's webhook_account_id (absent in older records: the failure log then takes account_id). */
  webhook_account_id: z.string().min(1).optional(),
  message_id: z.string().min(1),
  url: z.string(),
  /** The job's level: the webhook is the domain's or an account's (absent in records from before). */
  level: z.enum(DELIVERY_LEVELS).optional(),
  attempt: z.number().int().min(1),
  trigger: z.enum(DELIVERY_TRIGGERS),
  outcome: z.enum(ATTEMPT_OUTCOMES),
  http_status: z.number().int().nullable(),
  error_class: z.enum(ERROR_CLASSES).nullable(),
  reason: z.string().nullable(),
  duration_ms: z.number().min(0),
  /** Epoch ms, up to the end of year 9999 (what PostgreSQL's timestamptz and Date's ISO form hold). */
  attempted_at: z.number().int().min(0).max(MAX_EPOCH_MS),
  /**
   * The job as attempted, on failures that may be retried or resent (`jobNeeded`); a delivered attempt,
   * or an interrupted one (never retried: its job is delivered again from its topic), has none.
   */
  job: deliveryJobSchema.optional(),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;
/** A job without its event data: what routing, signing and the journal read. */
export type DeliveryJobHead = Omit<DeliveryJob, 'event_data'>;
/** An attempt without its job: the fields of the record that every reader uses. */
export type AttemptHead = Omit<DeliveryAttempt, 'job'>;

/**
 * Whether an attempt event carries its job: a failure that may be retried (failed, except a POST
 * interrupted by a stop, whose job comes again from its topic) or resent (rejected, dropped).
 */
export function jobNeeded(attempt: Pick<DeliveryAttempt, 'outcome' | 'error_class'>): boolean {
  if (attempt.outcome === 'delivered') return false;
  return !(attempt.outcome === 'failed' && attempt.error_class === 'interrupted');
}

/** `webhook.config` (compacted): latest state of each configuration entity, keyed by `configKey`. */
export const accountRecordSchema = z.object({
  kind: z.literal('account'),
  id: z.string().min(1),
  parent_id: z.string().nullable(),
  signing_key: z.string().min(1),
  redact_pii: z.boolean(),
  standard_webhooks: z.boolean(),
  /**
   * A primary's `parent_signature` feature: false = POSTs to its subaccounts' URLs carry no
   * `parent-signature`. Absent (records written before the feature) = on, Mailgun's behaviour.
   */
  parent_signature: z.boolean().optional(),
});
export const domainRecordSchema = z.object({
  kind: z.literal('domain'),
  name: z.string().min(1),
  account_id: z.string().min(1),
  redact_pii: z.boolean(),
});
export const domainWebhooksRecordSchema = z.object({
  kind: z.literal('domain_webhooks'),
  domain: z.string().min(1),
  webhooks: z.partialRecord(eventType, z.array(z.string())),
});
export const accountWebhooksRecordSchema = z.object({
  kind: z.literal('account_webhooks'),
  account_id: z.string().min(1),
  webhooks: z.array(z.object({ id: z.string(), url: z.string(), event_types: z.array(eventType) })),
});
export const configRecordSchema = z.discriminatedUnion('kind', [
  accountRecordSchema,
  domainRecordSchema,
  domainWebhooksRecordSchema,
  accountWebhooksRecordSchema,
]);
export type AccountRecord = z.infer<typeof accountRecordSchema>;
export type DomainRecord = z.infer<typeof domainRecordSchema>;
export type DomainWebhooksRecord = z.infer<typeof domainWebhooksRecordSchema>;
export type AccountWebhooksRecord = z.infer<typeof accountWebhooksRecordSchema>;
export type ConfigRecord = z.infer<typeof configRecordSchema>;

export const configKey = {
  account: (id: string) => `account/${id}`,
  domain: (name: string) => `domain/${name}`,
  domainWebhooks: (domain: string) => `domain-webhooks/${domain}`,
  accountWebhooks: (accountId: string) => `account-webhooks/${accountId}`,
};

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses a message value (JSON bytes) against a schema; never throws. */
export function decodeJson<T>(schema: z.ZodType<T>, bytes: Buffer | string | null): Decoded<T> {
  if (bytes === null) return { ok: false, reason: 'empty message value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  const result = schema.safeParse(parsed);
  if (!result.success) return { ok: false, reason: formatIssues(result.error) };
  return { ok: true, value: result.data };
}

/** The first issues as `path: message`; `at`: where the checked value sits in the message (`['job']`). */
export function formatIssues(error: z.ZodError, at: readonly PropertyKey[] = []): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [...at, ...issue.path];
      return `${path.length ? path.map(String).join('.') : '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
