import { z } from 'zod';
import {
  formatIssues,
  MAIL_EVENT_NAMES,
  type WebhookEvent,
  type WebhookEventType,
} from '@hookpost/contracts';

export const MAX_MAIL_EVENT_BYTES = 1024 * 1024;

/**
 * Deepest nesting of objects and arrays an event may have (the top-level object is level 1; Mailgun's
 * payloads reach 4). JSON.parse takes any depth, but JSON.stringify and structuredClone recurse: a 1 MiB
 * event nested 100 000 levels deep would overflow the stack of every service it reaches.
 */
export const MAX_NESTING_DEPTH = 100;

/** The fields every Mailgun event-data must carry; everything else is kept as it came (additive fields). */
const mailEventSchema = z.looseObject({
  id: z.string().min(1),
  event: z.string().min(1),
  timestamp: z.number().finite().positive(),
  severity: z.string().nullish(),
  domain: z.looseObject({ name: z.string().min(1) }),
  message: z.looseObject({
    headers: z.looseObject({ 'message-id': z.string().min(1) }),
  }),
});

export type NormaliseResult = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

/**
 * Validates one raw `mail.events` value and resolves its webhook name
 * (`failed` + `severity` -> `permanent_fail` / `temporary_fail`). Pure: the receive time comes in.
 */
export function normaliseMailEvent(raw: Buffer | null, receivedAt: number): NormaliseResult {
  if (raw === null || raw.length === 0) return { ok: false, reason: 'empty message' };
  if (raw.length > MAX_MAIL_EVENT_BYTES) {
    return { ok: false, reason: `message is ${raw.length} bytes, more than ${MAX_MAIL_EVENT_BYTES}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (nestedDeeperThan(json, MAX_NESTING_DEPTH)) {
    return { ok: false, reason: `nested deeper than ${MAX_NESTING_DEPTH} levels` };
  }
  const parsed = mailEventSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `invalid event: ${formatIssues(parsed.error)}` };
  const data = parsed.data;
  const webhook = webhookNameOf(data.event, data.severity);
  if (!webhook.ok) return webhook;
  return {
    ok: true,
    event: {
      event_id: data.id,
      webhook: webhook.name,
      domain: data.domain.name.toLowerCase(),
      message_id: data.message.headers['message-id'],
      timestamp: data.timestamp,
      received_at: receivedAt,
      redacted: false,
      event_data: data as Record<string, unknown>,
    },
  };
}

/** Whether a parsed JSON value has objects or arrays nested more than `limit` levels; no recursion. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ node: object; depth: number }> = [];
  if (typeof value === 'object' && value !== null) stack.push({ node: value, depth: 1 });
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.depth > limit) return true;
    for (const child of Object.values(item.node)) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: item.depth + 1 });
    }
  }
  return false;
}

type WebhookName = { ok: true; name: WebhookEventType } | { ok: false; reason: string };

export function webhookNameOf(event: string, severity: string | null | undefined): WebhookName {
  if (!(MAIL_EVENT_NAMES as readonly string[]).includes(event)) {
    return { ok: false, reason: `unknown event name "${event}"` };
  }
  if (event !== 'failed') return { ok: true, name: event as WebhookEventType };
  if (severity === 'permanent') return { ok: true, name: 'permanent_fail' };
  if (severity === 'temporary') return { ok: true, name: 'temporary_fail' };
  return {
    ok: false,
    reason: `failed event needs severity "permanent" or "temporary", got ${JSON.stringify(severity)}`,
  };
}
