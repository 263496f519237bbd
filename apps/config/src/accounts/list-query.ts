/**
 * Query strings of Mailgun's plain lists (`GET /v4/domains`, `GET /v5/accounts/subaccounts`): `limit` and
 * `skip` (offset paging, as Mailgun's; these lists are short and change rarely) and, for domains,
 * `include_subaccounts`. Pure: parsing only.
 */
import { fieldList, type Checked } from '@hookpost/domain';

export interface ListQuery {
  limit: number;
  skip: number;
  /** A primary account's subaccounts' items too (domains only). */
  includeSubaccounts: boolean;
}

export interface ListBounds {
  defaultLimit: number;
  maxLimit: number;
  /** Whether `include_subaccounts` is read (else it is ignored, as any unknown parameter). */
  subaccounts: boolean;
}

/** Mailgun's domain list: 100 a page by default, at most 1,000. */
export const DOMAIN_LIST: ListBounds = { defaultLimit: 100, maxLimit: 1000, subaccounts: true };
/** Mailgun's subaccount list: 10 a page by default, at most 1,000. */
export const SUBACCOUNT_LIST: ListBounds = { defaultLimit: 10, maxLimit: 1000, subaccounts: false };

/** At most this many items are skipped: a larger offset is a mistake, not a page. */
export const MAX_SKIP = 10_000_000;

function one(query: Record<string, unknown>, name: string): Checked<string | null> {
  const list = fieldList(query[name]);
  if (list.length > 1) return { ok: false, message: `${name} must be given once` };
  if (query[name] !== undefined && list.length === 0)
    return { ok: false, message: `${name} must be a string` };
  return { ok: true, value: list[0]?.trim() ?? null };
}

function integer(text: string, name: string, min: number, max: number): Checked<number> {
  const value = /^\d{1,8}$/.test(text) ? Number(text) : NaN;
  return value >= min && value <= max
    ? { ok: true, value }
    : { ok: false, message: `${name}: must be an integer from ${min} to ${max}` };
}

/** The query string of a list request -> the query, or the 400 message naming the bad parameter. */
export function parseListQuery(query: Record<string, unknown>, bounds: ListBounds): Checked<ListQuery> {
  const limitText = one(query, 'limit');
  if (!limitText.ok) return limitText;
  const skipText = one(query, 'skip');
  if (!skipText.ok) return skipText;
  const result: ListQuery = { limit: bounds.defaultLimit, skip: 0, includeSubaccounts: false };
  if (limitText.value !== null) {
    const limit = integer(limitText.value, 'limit', 1, bounds.maxLimit);
    if (!limit.ok) return limit;
    result.limit = limit.value;
  }
  if (skipText.value !== null) {
    const skip = integer(skipText.value, 'skip', 0, MAX_SKIP);
    if (!skip.ok) return skip;
    result.skip = skip.value;
  }
  if (bounds.subaccounts) {
    const flag = one(query, 'include_subaccounts');
    if (!flag.ok) return flag;
    const text = flag.value?.toLowerCase() ?? 'false';
    if (text !== 'true' && text !== 'false') {
      return { ok: false, message: 'include_subaccounts: must be true or false' };
    }
    result.includeSubaccounts = text === 'true';
  }
  return { ok: true, value: result };
}
