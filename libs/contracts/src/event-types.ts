/** The eight webhook names a customer can subscribe to (Mailgun's). */
export const WEBHOOK_EVENT_TYPES = [
  'accepted',
  'delivered',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
  'permanent_fail',
  'temporary_fail',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Event names as mail servers emit them in Mailgun event-data (`failed` splits by severity). */
export const MAIL_EVENT_NAMES = [
  'accepted',
  'delivered',
  'failed',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
] as const;

export type MailEventName = (typeof MAIL_EVENT_NAMES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
