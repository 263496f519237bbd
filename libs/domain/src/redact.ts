import type { WebhookEventType } from '@hookpost/contracts';

export const REDACTED = '[REDACTED]';

export type PiiField = 'targets' | 'to' | 'recipient' | 'ip';

/** The seed's table (004): which fields each event type loses when PII redaction is on. */
export const REDACTION_TABLE: Readonly<Record<WebhookEventType, readonly PiiField[]>> = {
  accepted: ['targets', 'to', 'recipient'],
  delivered: ['targets', 'to', 'recipient'],
  permanent_fail: ['targets', 'to', 'recipient'],
  temporary_fail: ['targets', 'to', 'recipient'],
  opened: ['recipient', 'ip'],
  clicked: ['recipient', 'ip'],
  complained: ['to', 'recipient'],
  unsubscribed: ['to', 'recipient'],
};

/** Where each field lives in Mailgun's event-data. */
const FIELD_PATHS: Readonly<Record<PiiField, readonly string[]>> = {
  targets: ['envelope', 'targets'],
  to: ['message', 'headers', 'to'],
  recipient: ['recipient'],
  ip: ['ip'],
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True when no field the table names for `webhook` still holds a value: each is absent, null or already
 * `[REDACTED]`. Redaction is idempotent, so such data needs no copy to be redacted again.
 */
export function isRedacted(webhook: WebhookEventType, eventData: Json): boolean {
  for (const field of REDACTION_TABLE[webhook]) {
    const path = FIELD_PATHS[field];
    let node: unknown = eventData;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) node = isObject(node) ? node[path[i]] : undefined;
    if (!isObject(node)) continue;
    // Absent and undefined are one for JSON data.
    const value = node[path[last]];
    if (value !== undefined && value !== null && value !== REDACTED) return false;
  }
  return true;
}

/** Returns a copy of `eventData` with the fields of the table replaced; only present fields are touched. */
export function redactEventData(webhook: WebhookEventType, eventData: Json): Json {
  const out = structuredClone(eventData);
  for (const field of REDACTION_TABLE[webhook]) {
    const path = FIELD_PATHS[field];
    let node: unknown = out;
    for (const key of path.slice(0, -1)) node = isObject(node) ? node[key] : undefined;
    const last = path[path.length - 1];
    if (isObject(node) && last in node && node[last] !== null) node[last] = REDACTED;
  }
  return out;
}
