/** The domain picker's choices: the account's own domains, then each subaccount's under its name. Pure. */

/** An item of `GET /v4/domains?include_subaccounts=true`. */
export interface DomainItem {
  name: string;
  subaccount_id?: string;
}

/** An item of `GET /v5/accounts/subaccounts`. */
export interface Subaccount {
  id: string;
  name: string;
}

export interface DomainChoice {
  name: string;
  /** The subaccount the console acts for on this domain (`X-Mailgun-On-Behalf-Of`), or null: the key's own. */
  subaccountId: string | null;
  subaccountName: string | null;
}

export interface DomainGroup {
  /** null: the account's own domains. */
  label: string | null;
  choices: DomainChoice[];
}

export function domainGroups(items: DomainItem[], subaccounts: Subaccount[]): DomainGroup[] {
  const names = new Map(subaccounts.map((s) => [s.id, s.name]));
  const own: DomainChoice[] = [];
  const bySub = new Map<string, DomainChoice[]>();
  for (const item of items) {
    if (!item.subaccount_id) {
      own.push({ name: item.name, subaccountId: null, subaccountName: null });
      continue;
    }
    const name = names.get(item.subaccount_id) ?? item.subaccount_id;
    const list = bySub.get(item.subaccount_id) ?? [];
    list.push({ name: item.name, subaccountId: item.subaccount_id, subaccountName: name });
    bySub.set(item.subaccount_id, list);
  }
  const groups: DomainGroup[] = own.length > 0 ? [{ label: null, choices: own }] : [];
  const subs = [...bySub.values()].sort((a, b) =>
    (a[0].subaccountName ?? '').localeCompare(b[0].subaccountName ?? ''),
  );
  for (const choices of subs) groups.push({ label: `Subaccount: ${choices[0].subaccountName}`, choices });
  return groups;
}
