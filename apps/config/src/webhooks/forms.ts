import {
  checkUrl,
  fieldList,
  parseEventTypes,
  parseWebhookName,
  validateWebhookUrls,
} from '@hookpost/domain';
import type { WebhookEventType } from '@hookpost/contracts';
import { badRequest } from '../validation';

/** A parsed form body (multipart or urlencoded); a repeated field is an array. */
export type Form = Record<string, unknown> | undefined;

export function webhookNameOf(value: unknown): WebhookEventType {
  const name = parseWebhookName(value);
  return name.ok ? name.value : badRequest(name.message);
}

/** 1..3 URLs from the repeated `url` field. */
export function urlsOf(form: Form): string[] {
  const urls = validateWebhookUrls(fieldList(form?.url));
  return urls.ok ? urls.value : badRequest(urls.message);
}

/** Exactly one URL from a field (the form's `url`, or a query parameter). */
export function oneUrlOf(value: unknown, field = 'url'): string {
  const list = fieldList(value);
  if (list.length === 0) badRequest(`${field} is required`);
  if (list.length > 1) badRequest(`${field} must be given once`);
  const url = checkUrl(list[0]);
  return url.ok ? url.value : badRequest(url.message);
}

/** The repeated `event_types` field. */
export function eventTypesOf(form: Form): WebhookEventType[] {
  const types = parseEventTypes(fieldList(form?.event_types));
  return types.ok ? types.value : badRequest(types.message);
}

/** An optional text field, bounded. */
export function textOf(value: unknown, field: string, max = 500): string | undefined {
  const list = fieldList(value);
  if (list.length === 0) return undefined;
  if (list[0].length > max) badRequest(`${field} must be at most ${max} characters`);
  return list[0];
}

/** `true` / `false` as forms send them. */
export function booleanOf(value: unknown, field: string): boolean {
  const list = fieldList(value);
  if (list.length === 0) badRequest(`${field} is required`);
  const text = list[0].trim().toLowerCase();
  if (text === 'true' || text === 'yes' || text === '1') return true;
  if (text === 'false' || text === 'no' || text === '0') return false;
  return badRequest(`${field} must be true or false`);
}
