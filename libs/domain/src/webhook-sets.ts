import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@hookpost/contracts';
import { MAX_URLS_PER_WEBHOOK, parseWebhookName, type Checked } from './webhook-config';

/** A domain's webhooks: the URLs of each event type, in the order they were added. */
export type UrlsByType = Partial<Record<WebhookEventType, string[]>>;

/** Repeated `event_types` values: at least one, each an event type (or alias), deduplicated. */
export function parseEventTypes(values: string[]): Checked<WebhookEventType[]> {
  if (values.length === 0) return { ok: false, message: 'event_types is required' };
  const out: WebhookEventType[] = [];
  for (const value of values) {
    const name = parseWebhookName(value);
    if (!name.ok) return { ok: false, message: `Invalid event type: ${value}` };
    if (!out.includes(name.value)) out.push(name.value);
  }
  return { ok: true, value: out };
}

function withLimit(next: UrlsByType): Checked<UrlsByType> {
  for (const type of WEBHOOK_EVENT_TYPES) {
    if ((next[type]?.length ?? 0) > MAX_URLS_PER_WEBHOOK) {
      return {
        ok: false,
        message: `Webhook ${type} already has ${MAX_URLS_PER_WEBHOOK} URLs; a webhook may have at most ${MAX_URLS_PER_WEBHOOK}`,
      };
    }
  }
  return { ok: true, value: next };
}

function compact(urls: UrlsByType): UrlsByType {
  const out: UrlsByType = {};
  for (const type of WEBHOOK_EVENT_TYPES) {
    const list = urls[type];
    if (list && list.length > 0) out[type] = list;
  }
  return out;
}

/** v4 POST: the URL also fires for these types (where it already does, nothing changes). */
export function addUrlToTypes(
  current: UrlsByType,
  url: string,
  types: WebhookEventType[],
): Checked<UrlsByType> {
  const next: UrlsByType = { ...current };
  for (const type of types) {
    const list = next[type] ?? [];
    if (!list.includes(url)) next[type] = [...list, url];
  }
  return withLimit(compact(next));
}

/** v4 PUT: the URL fires for exactly these types; its place is kept where it stays. */
export function setUrlTypes(
  current: UrlsByType,
  url: string,
  types: WebhookEventType[],
): Checked<UrlsByType> {
  if (!hasUrl(current, url)) return { ok: false, message: `No webhook with URL ${url}` };
  const next: UrlsByType = {};
  for (const type of WEBHOOK_EVENT_TYPES) {
    const list = current[type] ?? [];
    if (types.includes(type)) next[type] = list.includes(url) ? list : [...list, url];
    else next[type] = list.filter((u) => u !== url);
  }
  return withLimit(compact(next));
}

/** v4 DELETE: the URL no longer fires for any type. */
export function removeUrl(current: UrlsByType, url: string): Checked<UrlsByType> {
  if (!hasUrl(current, url)) return { ok: false, message: `No webhook with URL ${url}` };
  const next: UrlsByType = {};
  for (const type of WEBHOOK_EVENT_TYPES) next[type] = (current[type] ?? []).filter((u) => u !== url);
  return { ok: true, value: compact(next) };
}

export function hasUrl(current: UrlsByType, url: string): boolean {
  return WEBHOOK_EVENT_TYPES.some((type) => current[type]?.includes(url));
}

export interface AccountWebhookShape {
  id: string;
  url: string;
  event_types: WebhookEventType[];
}

/**
 * Account level: at most 3 distinct URLs per event type among an account's webhooks. Returns why the
 * candidate (new, or replacing the webhook with its id) would break that, or null.
 */
export function accountWebhookConflict(
  existing: AccountWebhookShape[],
  candidate: AccountWebhookShape,
): { kind: 'duplicate' | 'limit'; message: string } | null {
  const others = existing.filter((w) => w.id !== candidate.id);
  if (others.some((w) => w.url === candidate.url)) {
    return {
      kind: 'duplicate',
      message: `An account-level webhook with URL ${candidate.url} already exists`,
    };
  }
  for (const type of candidate.event_types) {
    const urls = new Set(others.filter((w) => w.event_types.includes(type)).map((w) => w.url));
    if (urls.size >= MAX_URLS_PER_WEBHOOK) {
      return {
        kind: 'limit',
        message: `Event type ${type} already has ${MAX_URLS_PER_WEBHOOK} account-level URLs`,
      };
    }
  }
  return null;
}
