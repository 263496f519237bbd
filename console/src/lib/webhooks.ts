/** The Webhooks page's rows and the one call each change makes. Pure. */
import { WEBHOOK_EVENT_TYPES } from '../../../libs/contracts/src/event-types';

export { WEBHOOK_EVENT_TYPES };

/** `GET /v3/domains/{d}/webhooks`: event type -> its URLs. */
export type DomainWebhooks = Partial<Record<string, { urls: string[] }>>;

export interface WebhookRow {
  eventType: string;
  url: string;
}

/** One row per (event type, URL), the event types in the API's order of the eight, URLs as configured. */
export function webhookRows(webhooks: DomainWebhooks): WebhookRow[] {
  const known = WEBHOOK_EVENT_TYPES as readonly string[];
  const types = [
    ...known,
    ...Object.keys(webhooks)
      .filter((t) => !known.includes(t))
      .sort(),
  ];
  return types.flatMap((eventType) => (webhooks[eventType]?.urls ?? []).map((url) => ({ eventType, url })));
}

/** A request of the public API: method, path and, for PUT and POST, the form fields. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  form?: Array<[string, string]>;
}

const webhookPath = (domain: string, eventType: string) =>
  `/v3/domains/${encodeURIComponent(domain)}/webhooks/${encodeURIComponent(eventType)}`;

/**
 * Removing one URL of an event type: the event type's other URLs stay (v3 PUT with them), or, when it was the
 * last one, the event type's webhook goes (v3 DELETE).
 */
export function removeUrlRequest(webhooks: DomainWebhooks, domain: string, row: WebhookRow): ApiRequest {
  const rest = (webhooks[row.eventType]?.urls ?? []).filter((u) => u !== row.url);
  return rest.length === 0
    ? { method: 'DELETE', path: webhookPath(domain, row.eventType) }
    : { method: 'PUT', path: webhookPath(domain, row.eventType), form: rest.map((u) => ['url', u]) };
}

/** Adding a URL to an event type (v4 POST: the URL also fires for it; a fourth URL is the API's 400). */
export function addUrlRequest(domain: string, eventType: string, url: string): ApiRequest {
  return {
    method: 'POST',
    path: `/v4/domains/${encodeURIComponent(domain)}/webhooks`,
    form: [
      ['url', url.trim()],
      ['event_types', eventType],
    ],
  };
}

/** A signed sample event of the type to the URL; the API answers the target's status and the start of its body. */
export function testRequest(domain: string, eventType: string, url: string): ApiRequest {
  return { method: 'PUT', path: `${webhookPath(domain, eventType)}/test`, form: [['url', url]] };
}

/** What a test send's answer says: `{code, message}` (code 0: no answer, message the error). */
export function describeTest(result: { code: number; message: string }, maxChars = 160): string {
  const body = result.message.length > maxChars ? `${result.message.slice(0, maxChars)}…` : result.message;
  if (result.code === 0) return `No answer: ${body}`;
  return body.trim() === '' ? `HTTP ${result.code} (empty answer)` : `HTTP ${result.code}: ${body}`;
}
