/**
 * Primary accounts and their subaccounts (one level: a subaccount has no subaccounts of its own). Every
 * rule that needs an account's primary asks here: PII redaction and `parent_signature` inherited from the
 * primary, the primary's account-level webhooks firing for its subaccounts' domains, `parent-signature`
 * with the primary's key, the failure log's account-wide lists.
 */

/** What says where an account sits: its id and its parent's (null for a primary account). */
export interface AccountLink {
  id: string;
  parent_id: string | null;
}

/** The id of an account's primary: its parent for a subaccount, the account itself for a primary. */
export function primaryIdOf(account: AccountLink): string {
  return account.parent_id ?? account.id;
}

/** Whether the account is a subaccount (its primary is another account). */
export function isSubaccount(account: AccountLink): boolean {
  return primaryIdOf(account) !== account.id;
}
