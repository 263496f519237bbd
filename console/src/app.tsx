import { useEffect, useMemo, useState } from 'preact/hooks';
import { client, session, type Client } from './api';
import { Loading } from './components/notices';
import { Tabs } from './components/tabs';
import { KEY_NO_LONGER_VALID } from './lib/errors';
import {
  domainGroups,
  type DomainChoice,
  type DomainGroup,
  type DomainItem,
  type Subaccount,
} from './lib/domains';
import { FailureLogs } from './pages/failure-logs';
import { Security } from './pages/security';
import { Settings } from './pages/settings';
import { Logo, SignIn } from './pages/sign-in';
import { Webhooks } from './pages/webhooks';

interface Account {
  key: string;
  /** A primary account (its own PII setting, maybe subaccounts), or a subaccount. */
  primary: boolean;
  groups: DomainGroup[];
}

interface Features {
  features: { webhooks_redact_pii: { inherited: boolean } };
}

/** What the console needs of the account: three calls of the public API, made once at sign-in. */
async function loadAccount(key: string): Promise<Account> {
  const api = client(key, { signingIn: true });
  const features = await api.get<Features>('/v5/accounts/features');
  const domains = await api.get<{ items: DomainItem[] }>('/v4/domains?include_subaccounts=true&limit=1000');
  const subaccounts = domains.items.some((d) => d.subaccount_id)
    ? (await api.get<{ subaccounts: Subaccount[] }>('/v5/accounts/subaccounts?limit=1000')).subaccounts
    : [];
  return {
    key,
    primary: !features.features.webhooks_redact_pii.inherited,
    groups: domainGroups(domains.items, subaccounts),
  };
}

const TABS = [
  { id: 'webhooks', label: 'Webhooks' },
  { id: 'failure-logs', label: 'Failure logs' },
  { id: 'settings', label: 'Settings' },
  { id: 'security', label: 'Security' },
];

const tabFromHash = () => {
  const id = location.hash.replace(/^#/, '');
  return TABS.some((t) => t.id === id) ? id : 'webhooks';
};

const DOMAIN_ITEM = 'hookpost.domain';

export function App() {
  const [account, setAccount] = useState<Account | null>(null);
  const [restoring, setRestoring] = useState(session.load() !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const [domainName, setDomainName] = useState<string | null>(null);
  const [tab, setTab] = useState(tabFromHash);

  const signIn = async (key: string) => {
    const loaded = await loadAccount(key);
    session.save(key);
    const choices = loaded.groups.flatMap((g) => g.choices);
    const kept = sessionStorage.getItem(DOMAIN_ITEM);
    setDomainName(choices.find((c) => c.name === kept)?.name ?? choices[0]?.name ?? null);
    setNotice(null);
    setAccount(loaded);
  };

  const signOut = (message: string | null = null) => {
    session.clear();
    sessionStorage.removeItem(DOMAIN_ITEM);
    setNotice(message);
    setAccount(null);
  };

  // A key kept in this tab's session storage (a reload): signed in again without asking.
  useEffect(() => {
    const key = session.load();
    if (key === null) return;
    signIn(key)
      .catch((err: unknown) => signOut(err instanceof Error ? err.message : null))
      .finally(() => setRestoring(false));
  }, []);

  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const choices = useMemo(() => account?.groups.flatMap((g) => g.choices) ?? [], [account]);
  const domain: DomainChoice | null = choices.find((c) => c.name === domainName) ?? null;
  const api: Client | null = useMemo(
    () =>
      account &&
      client(account.key, {
        onBehalfOf: domain?.subaccountId ?? null,
        onUnauthorized: () => signOut(KEY_NO_LONGER_VALID),
      }),
    [account, domain?.subaccountId],
  );

  if (restoring) {
    return (
      <main class="signin">
        <Loading what="your account" />
      </main>
    );
  }
  if (!account || !api) return <SignIn onSignIn={signIn} notice={notice} />;

  const selectTab = (id: string) => {
    setTab(id);
    history.replaceState(null, '', `#${id}`);
  };
  const selectDomain = (name: string) => {
    setDomainName(name);
    sessionStorage.setItem(DOMAIN_ITEM, name);
  };
  const page = { api, domain, primary: account.primary && domain?.subaccountId == null };

  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <Logo />
          Hookpost
        </div>
        <label class="picker">
          <span>Domain</span>
          {choices.length === 0 ? (
            <select disabled>
              <option>No domains</option>
            </select>
          ) : (
            <select value={domainName ?? ''} onChange={(e) => selectDomain(e.currentTarget.value)}>
              {account.groups.map((group) =>
                group.label === null ? (
                  group.choices.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name}
                    </option>
                  ))
                ) : (
                  <optgroup key={group.label} label={group.label}>
                    {group.choices.map((c) => (
                      <option key={c.name} value={c.name}>
                        {`${c.name} (${c.subaccountName})`}
                      </option>
                    ))}
                  </optgroup>
                ),
              )}
            </select>
          )}
        </label>
        <div class="who">
          <span class="badge">{account.primary ? 'Primary account' : 'Subaccount'}</span>
          <button type="button" class="button ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main class="main">
        {domain?.subaccountId && (
          <p class="acting" role="note">
            Acting for the subaccount <strong>{domain.subaccountName}</strong>: its webhooks, failures,
            settings and signing key.
          </p>
        )}
        <Tabs label="Console sections" tabs={TABS} selected={tab} onSelect={selectTab}>
          {tab === 'webhooks' && <Webhooks key={domainName} {...page} />}
          {tab === 'failure-logs' && <FailureLogs key={domainName} {...page} />}
          {tab === 'settings' && <Settings key={domainName} {...page} />}
          {tab === 'security' && <Security key={domainName} {...page} />}
        </Tabs>
      </main>
    </div>
  );
}

export interface PageProps {
  api: Client;
  domain: DomainChoice | null;
  /** The account acted for is a primary account. */
  primary: boolean;
}
