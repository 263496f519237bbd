/**
 * The failure log's paging: the API answers full URLs (`paging.next`, `previous`, ...); the console follows
 * them on its own origin (the API's), by path and query only, so that a proxy in front of the API that
 * rewrites the scheme or host changes nothing. Pure.
 */
export function apiPath(link: string): string {
  const url = new URL(link, 'http://console.invalid');
  return `${url.pathname}${url.search}`;
}

export interface FailureFilters {
  /** An event type, or '' for any. */
  event: string;
  /** A URL to match exactly, or ''. */
  url: string;
  /** Epoch seconds, or null for an open end. */
  begin: number | null;
  end: number | null;
}

export const NO_FILTERS: FailureFilters = { event: '', url: '', begin: null, end: null };

/** The first page of the domain's failures for these filters. */
export function failuresPath(domain: string, filters: FailureFilters, limit: number): string {
  const query = new URLSearchParams();
  if (filters.event !== '') query.set('event', filters.event);
  if (filters.url.trim() !== '') query.set('url', filters.url.trim());
  if (filters.begin !== null) query.set('begin', String(filters.begin));
  if (filters.end !== null) query.set('end', String(filters.end));
  query.set('limit', String(limit));
  return `/v3/domains/${encodeURIComponent(domain)}/webhook-failures?${query.toString()}`;
}
