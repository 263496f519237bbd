import { isWebhookEventType, type WebhookEventType } from '@hookpost/contracts';

export const MAX_URLS_PER_WEBHOOK = 3;

/** Aliases some clients send: mailgun.js says `unsubscribe` for `unsubscribed`. */
const NAME_ALIASES: Record<string, WebhookEventType> = { unsubscribe: 'unsubscribed' };

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseWebhookName(name: unknown): Checked<WebhookEventType> {
  if (typeof name !== 'string' || name.length === 0)
    return { ok: false, message: 'Webhook name is required' };
  const resolved = NAME_ALIASES[name] ?? name;
  if (!isWebhookEventType(resolved)) return { ok: false, message: `Invalid webhook name: ${name}` };
  return { ok: true, value: resolved };
}

/** A form field that may be repeated: absent -> [], one value -> [value], repeated -> the list. */
export function fieldList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/** Validates 1..3 distinct http(s) URLs; returns them normalised (WHATWG serialisation), order kept. */
export function validateWebhookUrls(urls: string[]): Checked<string[]> {
  if (urls.length === 0) return { ok: false, message: 'url is required' };
  const out: string[] = [];
  for (const raw of urls) {
    const url = checkUrl(raw);
    if (!url.ok) return url;
    if (!out.includes(url.value)) out.push(url.value);
  }
  if (out.length > MAX_URLS_PER_WEBHOOK) {
    return { ok: false, message: `A webhook may have at most ${MAX_URLS_PER_WEBHOOK} URLs` };
  }
  return { ok: true, value: out };
}

/** The longest webhook URL accepted, as given and once normalised (browsers' and CDNs' common bound). */
export const MAX_URL_LENGTH = 2048;

export function checkUrl(raw: string): Checked<string> {
  const tooLong: Checked<string> = { ok: false, message: `URL must be at most ${MAX_URL_LENGTH} characters` };
  if (raw.trim().length > MAX_URL_LENGTH) return tooLong;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, message: `Invalid URL: ${raw}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: `URL must use http or https: ${raw}` };
  }
  if (url.username || url.password) return { ok: false, message: `URL must not carry credentials: ${raw}` };
  const value = url.toString();
  return value.length > MAX_URL_LENGTH ? tooLong : { ok: true, value };
}

/** A domain name as customers write it: labels of letters, digits and hyphens; not an IP address. */
export function isDomainName(name: string): boolean {
  const labels = name.split('.');
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return false;
  return (
    name.length <= 253 &&
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i.test(
      name,
    )
  );
}
