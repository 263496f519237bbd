/**
 * What the console says when an API call fails: the API's own `message` (Mailgun's error shape), except
 * where the console knows better words (a wrong key, the rate limit, no connection). Pure.
 */

/** A failed call: the HTTP status (0: no answer at all) and the API's answer, if it was JSON. */
export interface Failure {
  status: number;
  body: unknown;
}

/** Seconds to wait from a 429's `retry-seconds`, or null when it has none. */
export function retrySeconds(body: unknown): number | null {
  const value = (body as Record<string, unknown> | null)?.['retry-seconds'];
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}

/** The API's `message`, when the answer carries one. */
export function apiMessage(body: unknown): string | null {
  const value = (body as Record<string, unknown> | null)?.message;
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export const INVALID_KEY = 'That API key is invalid. Check it and try again.';
export const KEY_NO_LONGER_VALID = 'Your API key is no longer valid. Sign in again.';

/** One sentence for the person at the screen. `signingIn`: a 401 means the key typed is wrong. */
export function describeFailure(failure: Failure, signingIn = false): string {
  const { status, body } = failure;
  if (status === 0) return 'The API could not be reached. Check the connection and try again.';
  if (status === 401) return signingIn ? INVALID_KEY : KEY_NO_LONGER_VALID;
  if (status === 429) {
    const wait = retrySeconds(body);
    return `Too many requests: the API's rate limit for this account is used up. ${
      wait === null ? 'Try again in a minute.' : `Try again in ${wait} s.`
    }`;
  }
  const message = apiMessage(body);
  if (message !== null) return message;
  if (status >= 500) return `The API failed (HTTP ${status}). Try again in a moment.`;
  return `The API refused the request (HTTP ${status}).`;
}
