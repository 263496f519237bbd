/**
 * The console's only way to the server: the public REST API, same origin, HTTP basic `api:<key>` (as
 * mailgun.js sends it) and, on a subaccount's domain, `X-Mailgun-On-Behalf-Of`. Forms go urlencoded. The
 * key is kept in this tab's session storage only: never in a cookie, a URL or local storage.
 */
import { describeFailure, type Failure } from './lib/errors';
import type { ApiRequest } from './lib/webhooks';

const KEY_ITEM = 'hookpost.apiKey';

export const session = {
  load: (): string | null => sessionStorage.getItem(KEY_ITEM),
  save: (key: string): void => sessionStorage.setItem(KEY_ITEM, key),
  clear: (): void => sessionStorage.removeItem(KEY_ITEM),
};

/** A call that did not answer 2xx; `text` is what to show. */
export class ApiError extends Error implements Failure {
  constructor(
    readonly status: number,
    readonly body: unknown,
    signingIn = false,
  ) {
    super(describeFailure({ status, body }, signingIn));
    this.name = 'ApiError';
  }
}

/** Base64 of the UTF-8 bytes (btoa alone refuses characters beyond Latin-1). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export interface Client {
  /** The subaccount acted for, or null. */
  readonly onBehalfOf: string | null;
  call<T>(request: ApiRequest): Promise<T>;
  get<T>(path: string): Promise<T>;
}

export interface ClientOptions {
  /** The subaccount to act for (`X-Mailgun-On-Behalf-Of`). */
  onBehalfOf?: string | null;
  /** A 401 means the key typed is wrong (sign-in), not that a signed-in key stopped working. */
  signingIn?: boolean;
  /** Called on a 401 after sign-in (a revoked key): the console signs out. */
  onUnauthorized?: () => void;
}

export function client(key: string, options: ClientOptions = {}): Client {
  const { onBehalfOf = null, signingIn = false, onUnauthorized } = options;
  const authorization = `Basic ${base64(`api:${key}`)}`;
  const call = async <T>({ method, path, form }: ApiRequest): Promise<T> => {
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (onBehalfOf !== null) headers['x-mailgun-on-behalf-of'] = onBehalfOf;
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: form ? new URLSearchParams(form) : undefined,
        cache: 'no-store',
        // No cookies, and no browser login prompt on the API's 401 (WWW-Authenticate: Basic): the fetch
        // standard prompts only for requests that include credentials. Our Authorization header goes as set.
        credentials: 'omit',
        redirect: 'error',
      });
    } catch {
      throw new ApiError(0, null, signingIn);
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    if (!res.ok) {
      if (res.status === 401 && !signingIn) onUnauthorized?.();
      throw new ApiError(res.status, body, signingIn);
    }
    return body as T;
  };
  return { onBehalfOf, call, get: <T>(path: string) => call<T>({ method: 'GET', path }) };
}

export const errorText = (err: unknown): string =>
  err instanceof Error ? err.message : 'Something went wrong. Try again.';
