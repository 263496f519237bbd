import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ConfigRecord, WebhookEventType } from '@hookpost/contracts';
import type { ConfigState } from './config-state';
import { resolveEndpoints, resolveOwnedEndpoints, type Endpoint } from './resolve';
import {
  accountRecord as account,
  configStateOf as stateOf,
  domainRecord as domain,
} from './testing/config-records';

const URL_SHARED = 'https://shared.example.net/hook';

/**
 * Primary P owns p.example.com; its subaccount S owns s.example.com; an unrelated primary O owns
 * o.example.com. Each account has account-level webhooks, some domains have domain-level ones.
 */
const CONFIG: readonly ConfigRecord[] = [
  account('P', null),
  account('S', 'P'),
  account('O', null),
  domain('p.example.com', 'P'),
  domain('s.example.com', 'S'),
  domain('o.example.com', 'O'),
  domain('quiet.example.com', 'P'),
  {
    kind: 'domain_webhooks',
    domain: 'p.example.com',
    webhooks: { delivered: ['https://p-domain.example.net/d1', 'https://p-domain.example.net/d2'] },
  },
  {
    kind: 'domain_webhooks',
    domain: 's.example.com',
    webhooks: {
      delivered: ['https://s-domain.example.net/d', URL_SHARED],
      clicked: ['https://s-domain.example.net/c'],
    },
  },
  {
    kind: 'account_webhooks',
    account_id: 'P',
    webhooks: [
      { id: 'p1', url: 'https://p-account.example.net/all', event_types: ['delivered', 'opened'] },
      { id: 'p2', url: URL_SHARED, event_types: ['delivered'] },
    ],
  },
  {
    kind: 'account_webhooks',
    account_id: 'S',
    webhooks: [{ id: 's1', url: 'https://s-account.example.net/a', event_types: ['delivered', 'clicked'] }],
  },
  {
    kind: 'account_webhooks',
    account_id: 'O',
    webhooks: [{ id: 'o1', url: 'https://o-account.example.net/a', event_types: ['delivered'] }],
  },
];

const sorted = (endpoints: Endpoint[]) => [...endpoints].sort((a, b) => a.url.localeCompare(b.url));

describe('resolveEndpoints', () => {
  const cases: Array<{ name: string; domain: string; webhook: WebhookEventType; expected: Endpoint[] }> = [
    {
      name: "a primary's domain: its domain-level URLs plus its own account-level ones",
      domain: 'p.example.com',
      webhook: 'delivered',
      expected: [
        { url: 'https://p-account.example.net/all', level: 'account' },
        { url: 'https://p-domain.example.net/d1', level: 'domain' },
        { url: 'https://p-domain.example.net/d2', level: 'domain' },
        { url: URL_SHARED, level: 'account' },
      ],
    },
    {
      name: "a subaccount's domain: domain-level, its own account-level and its primary's account-level",
      domain: 's.example.com',
      webhook: 'delivered',
      expected: [
        { url: 'https://p-account.example.net/all', level: 'account' },
        { url: 'https://s-account.example.net/a', level: 'account' },
        { url: 'https://s-domain.example.net/d', level: 'domain' },
        { url: URL_SHARED, level: 'account' },
      ],
    },
    {
      name: 'a type only the account level subscribes to',
      domain: 's.example.com',
      webhook: 'opened',
      expected: [{ url: 'https://p-account.example.net/all', level: 'account' }],
    },
    {
      name: "a type the subaccount's domain and account subscribe to, but not the primary",
      domain: 's.example.com',
      webhook: 'clicked',
      expected: [
        { url: 'https://s-account.example.net/a', level: 'account' },
        { url: 'https://s-domain.example.net/c', level: 'domain' },
      ],
    },
    {
      name: 'a type nobody subscribes to',
      domain: 's.example.com',
      webhook: 'complained',
      expected: [],
    },
    {
      name: 'a domain without domain-level webhooks: only the account level',
      domain: 'quiet.example.com',
      webhook: 'delivered',
      expected: [
        { url: 'https://p-account.example.net/all', level: 'account' },
        { url: URL_SHARED, level: 'account' },
      ],
    },
    { name: 'an unknown domain', domain: 'unknown.example.com', webhook: 'delivered', expected: [] },
  ];
  for (const { name, domain: domainName, webhook, expected } of cases) {
    it(`given ${name}, when a ${webhook} event is resolved, then it goes to exactly those URLs`, () => {
      assert.deepEqual(sorted(resolveEndpoints(stateOf(CONFIG), domainName, webhook)), sorted(expected));
    });
  }

  it("given a subaccount with account-level webhooks, when its primary's domain has an event, then they never fire", () => {
    const urls = resolveEndpoints(stateOf(CONFIG), 'p.example.com', 'delivered').map((e) => e.url);
    assert.ok(urls.length > 0);
    assert.ok(!urls.includes('https://s-account.example.net/a'));
  });

  it("given another primary's account-level webhooks, when a domain of P has an event, then they never fire", () => {
    for (const domainName of ['p.example.com', 's.example.com']) {
      const urls = resolveEndpoints(stateOf(CONFIG), domainName, 'delivered').map((e) => e.url);
      assert.ok(!urls.includes('https://o-account.example.net/a'), domainName);
    }
  });

  it('given the same URL at domain and account level, when resolved, then it is sent once, as account-level', () => {
    const shared = resolveEndpoints(stateOf(CONFIG), 's.example.com', 'delivered').filter(
      (e) => e.url === URL_SHARED,
    );
    assert.deepEqual(shared, [{ url: URL_SHARED, level: 'account' }]);
  });

  it('given the same URL on the subaccount and on its primary, when resolved, then it is sent once', () => {
    const state = stateOf([
      ...CONFIG,
      {
        kind: 'account_webhooks',
        account_id: 'S',
        webhooks: [{ id: 's1', url: 'https://p-account.example.net/all', event_types: ['delivered'] }],
      },
    ]);
    const urls = resolveEndpoints(state, 's.example.com', 'delivered').map((e) => e.url);
    assert.equal(urls.filter((u) => u === 'https://p-account.example.net/all').length, 1);
  });

  it('given a subaccount whose primary is not in the state, when resolved, then its own webhooks still fire', () => {
    const state = stateOf(CONFIG.filter((r) => !(r.kind === 'account' && r.id === 'P')));
    const urls = resolveEndpoints(state, 's.example.com', 'clicked').map((e) => e.url);
    assert.deepEqual(urls.sort(), ['https://s-account.example.net/a', 'https://s-domain.example.net/c']);
  });
});

describe('resolveOwnedEndpoints', () => {
  const owners = (state: ConfigState, domainName: string, webhook: WebhookEventType) =>
    Object.fromEntries(resolveOwnedEndpoints(state, domainName, webhook).map((e) => [e.url, e.account_id]));

  it("given a subaccount's domain, when resolved, then its primary's account-level webhooks are the primary's and the rest the subaccount's", () => {
    assert.deepEqual(owners(stateOf(CONFIG), 's.example.com', 'delivered'), {
      'https://s-domain.example.net/d': 'S',
      [URL_SHARED]: 'S',
      'https://s-account.example.net/a': 'S',
      'https://p-account.example.net/all': 'P',
    });
  });

  it("given a primary's domain, when resolved, then every webhook is the primary's", () => {
    const all = owners(stateOf(CONFIG), 'p.example.com', 'delivered');
    assert.deepEqual(new Set(Object.values(all)), new Set(['P']));
  });

  it('given the endpoints with their owners, when their URLs and levels are taken, then they are resolveEndpoints', () => {
    for (const domainName of ['p.example.com', 's.example.com', 'o.example.com']) {
      const owned = resolveOwnedEndpoints(stateOf(CONFIG), domainName, 'delivered');
      assert.deepEqual(
        owned.map(({ url, level }) => ({ url, level })),
        resolveEndpoints(stateOf(CONFIG), domainName, 'delivered'),
      );
    }
  });
});
