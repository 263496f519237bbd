import { z } from 'zod';
import {
  formatIssues,
  MAIL_EVENT_NAMES,
  type WebhookEvent,
  type WebhookEventType,
} from '@hookpost/contracts';

/**
 * Largest mail event: the bytes that arrive on `mail.events`, and the event-data as Hookpost writes it
 * again (JSON.parse + JSON.stringify: `1e20` becomes `100000000000000000000`, an invalid UTF-8 byte
 * becomes the 3 bytes of U+FFFD). Every later record carries the event-data as written again.
 */
export const MAX_MAIL_EVENT_BYTES = 1024 * 1024;

/**
 * Caps of the fields that become failure-log columns, index keys and delivery ids. An over-long value is
 * rejected, never cut: the event id makes the delivery ids (dedupe), the domain routes the event, and a cut
 * message-id would name another message.
 * - id: Mailgun's are 22 characters; 256 leaves room for any mail server's scheme and keeps the failure
 *   log's B-tree keys (`event_id`, `domain`) far below PostgreSQL's index-row limit (2,704 bytes).
 * - domain name: DNS's limit, 253 characters.
 * - message-id: a header line's limit (RFC 5322), 998 characters.
 */
export const MAX_EVENT_ID_CHARS = 256;
export const MAX_DOMAIN_NAME_CHARS = 253;
export const MAX_MESSAGE_ID_CHARS = 998;

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

export type NormaliseResult =
  | {
      ok: true;
      event: WebhookEvent;
      /** `event.event_data` as JSON, as written again (at most MAX_MAIL_EVENT_BYTES). */
      eventDataJson: Buffer;
    }
  | { ok: false; reason: string };

/**
 * Validates one raw `mail.events` value and resolves its webhook name
 * (`failed` + `severity` -> `permanent_fail` / `temporary_fail`). Every string is made well-formed
 * (a lone surrogate, which only a `\ud800` escape can bring, becomes U+FFFD: PostgreSQL's jsonb refuses
 * it); the id, domain name and message-id are capped (rejected when longer); the event-data written again
 * must still fit MAX_MAIL_EVENT_BYTES. Pure: the receive time comes in.
 */
export function normaliseMailEvent(raw: Buffer | null, receivedAt: number): NormaliseResult {
  if (raw === null || raw.length === 0) return { ok: false, reason: 'empty message' };
  if (raw.length > MAX_MAIL_EVENT_BYTES) {
    return { ok: false, reason: `message is ${raw.length} bytes, more than ${MAX_MAIL_EVENT_BYTES}` };
  }
  let json: unknown;
  const text = raw.toString('utf8');
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (nestedDeeperThan(json, MAX_NESTING_DEPTH)) {
    return { ok: false, reason: `nested deeper than ${MAX_NESTING_DEPTH} levels` };
  }
  if (LONE_SURROGATE_ESCAPE.test(text)) json = wellFormed(json);
  const parsed = mailEventSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `invalid event: ${formatIssues(parsed.error)}` };
  const data = parsed.data;
  const tooLong =
    overLongField(data.id, 'id', MAX_EVENT_ID_CHARS) ??
    overLongField(data.domain.name, 'domain.name', MAX_DOMAIN_NAME_CHARS) ??
    overLongField(data.message.headers['message-id'], 'message.headers.message-id', MAX_MESSAGE_ID_CHARS);
  if (tooLong) return { ok: false, reason: tooLong };
  const webhook = webhookNameOf(data.event, data.severity);
  if (!webhook.ok) return webhook;
  // The event as parsed, not zod's copy (which moves the fields it knows first): its fields keep their order.
  const eventData = json as Record<string, unknown>;
  const eventDataJson = Buffer.from(JSON.stringify(eventData), 'utf8');
  if (eventDataJson.length > MAX_MAIL_EVENT_BYTES) {
    return {
      ok: false,
      reason:
        `event is ${eventDataJson.length} bytes as written again (from ${raw.length}: numbers such as 1e20 ` +
        `and invalid UTF-8 grow), more than ${MAX_MAIL_EVENT_BYTES}`,
    };
  }
  return {
    ok: true,
    eventDataJson,
    event: {
      event_id: data.id,
      webhook: webhook.name,
      domain: data.domain.name.toLowerCase(),
      message_id: data.message.headers['message-id'],
      timestamp: data.timestamp,
      received_at: receivedAt,
      redacted: false,
      event_data: eventData,
    },
  };
}

/** `\ud800`-`\udfff` escapes (a literal `\\ud800` matches too: it only costs a walk that changes nothing). */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/** ES2024's String.prototype.isWellFormed / toWellFormed (Node 20 and later; the project's lib is ES2023). */
type Es2024String = { isWellFormed(): boolean; toWellFormed(): string };
const toWellFormed = (s: string): string => (s as unknown as Es2024String).toWellFormed();
const isWellFormed = (s: string): boolean => (s as unknown as Es2024String).isWellFormed();

/** Why a field is over its cap, or undefined. Characters are UTF-16 code units, as JavaScript counts. */
function overLongField(value: string, name: string, max: number): string | undefined {
  return value.length > max ? `${name} is ${value.length} characters, more than ${max}` : undefined;
}

/**
 * The parsed JSON value with every string and object key well-formed (String.prototype.toWellFormed: a
 * lone surrogate becomes U+FFFD). Objects and arrays are changed in place; keys that change are re-inserted
 * (after the others: JSON's object order is not significant; if two keys become one, the later wins, as in
 * JSON.parse). No recursion: the depth was checked, but the walk does not depend on it.
 */
export function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return toWellFormed(value);
  if (typeof value !== 'object' || value === null) return value;
  const stack: object[] = [value];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'string') node[i] = toWellFormed(child);
        else if (typeof child === 'object' && child !== null) stack.push(child);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      const fixed = typeof child === 'string' ? toWellFormed(child) : child;
      if (typeof child === 'object' && child !== null) stack.push(child);
      if (!isWellFormed(key)) {
        delete record[key];
        record[toWellFormed(key)] = fixed;
      } else if (fixed !== child) record[key] = fixed;
    }
  }
  return value;
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
