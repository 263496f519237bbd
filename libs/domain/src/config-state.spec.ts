import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import {
  configKey,
  type AccountRecord,
  type AccountWebhooksRecord,
  type DomainRecord,
  type DomainWebhooksRecord,
} from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState, ownersOf, primaryIn } from './config-state';

const PRIMARY: AccountRecord = {
  kind: 'account',
  id: 'acc_primary',
  parent_id: null,
  signing_key: 'key-primary',
  redact_pii: false,
  standard_webhooks: false,
};
const SUB: AccountRecord = { ...PRIMARY, id: 'acc_sub', parent_id: 'acc_primary', signing_key: 'key-sub' };
const DOMAIN: DomainRecord = {
  kind: 'domain',
  name: 'p.example.com',
  account_id: 'acc_primary',
  redact_pii: false,
};
const SUB_DOMAIN: DomainRecord = { ...DOMAIN, name: 's.example.com', account_id: 'acc_sub' };
const DOMAIN_HOOKS: DomainWebhooksRecord = {
  kind: 'domain_webhooks',
  domain: 'p.example.com',
  webhooks: { delivered: ['https://hooks.example.net/d'] },
};
const ACCOUNT_HOOKS: AccountWebhooksRecord = {
  kind: 'account_webhooks',
  account_id: 'acc_primary',
  webhooks: [{ id: 'wh_1', url: 'https://hooks.example.net/a', event_types: ['opened'] }],
};

function fullState() {
  const state = emptyConfigState();
  applyConfigRecord(state, configKey.account(PRIMARY.id), PRIMARY);
  applyConfigRecord(state, configKey.account(SUB.id), SUB);
  applyConfigRecord(state, configKey.domain(DOMAIN.name), DOMAIN);
  applyConfigRecord(state, configKey.domain(SUB_DOMAIN.name), SUB_DOMAIN);
  applyConfigRecord(state, configKey.domainWebhooks(DOMAIN_HOOKS.domain), DOMAIN_HOOKS);
  applyConfigRecord(state, configKey.accountWebhooks(ACCOUNT_HOOKS.account_id), ACCOUNT_HOOKS);
  return state;
}

describe('applyConfigRecord', () => {
  it('given an empty state, when one record of each kind is applied, then each lands in its own map under its id', () => {
    const state = fullState();

    assert.deepEqual([...state.accounts.keys()].sort(), ['acc_primary', 'acc_sub']);
    assert.deepEqual([...state.domains.keys()].sort(), ['p.example.com', 's.example.com']);
    assert.deepEqual(state.accounts.get('acc_sub'), SUB);
    assert.deepEqual(state.domains.get('p.example.com'), DOMAIN);
    assert.deepEqual(state.domainWebhooks.get('p.example.com'), DOMAIN_HOOKS);
    assert.deepEqual(state.accountWebhooks.get('acc_primary'), ACCOUNT_HOOKS);
  });

  it('given a record already applied, when a newer record with the same key arrives, then the latest wins', () => {
    const state = fullState();
    const updated: DomainWebhooksRecord = {
      ...DOMAIN_HOOKS,
      webhooks: { clicked: ['https://hooks.example.net/c'] },
    };

    applyConfigRecord(state, configKey.domainWebhooks(DOMAIN_HOOKS.domain), updated);

    assert.deepEqual(state.domainWebhooks.get('p.example.com'), updated);
    assert.equal(state.domainWebhooks.size, 1);
  });

  describe('given a full state, when a tombstone arrives', () => {
    const cases: Array<{ key: string; check: (s: ReturnType<typeof fullState>) => void }> = [
      {
        key: configKey.account('acc_sub'),
        check: (s) => {
          assert.equal(s.accounts.has('acc_sub'), false);
          assert.equal(s.accounts.has('acc_primary'), true);
        },
      },
      {
        key: configKey.domain('p.example.com'),
        check: (s) => {
          assert.equal(s.domains.has('p.example.com'), false);
          assert.equal(s.domains.has('s.example.com'), true);
          assert.equal(s.domainWebhooks.has('p.example.com'), true, 'the domain webhooks record is separate');
        },
      },
      {
        key: configKey.domainWebhooks('p.example.com'),
        check: (s) => {
          assert.equal(s.domainWebhooks.has('p.example.com'), false);
          assert.equal(s.domains.has('p.example.com'), true);
        },
      },
      {
        key: configKey.accountWebhooks('acc_primary'),
        check: (s) => {
          assert.equal(s.accountWebhooks.has('acc_primary'), false);
          assert.equal(s.accounts.has('acc_primary'), true);
        },
      },
    ];
    for (const { key, check } of cases) {
      it(`for "${key}", then only that entry is removed`, () => {
        const state = fullState();
        applyConfigRecord(state, key, null);
        check(state);
      });
    }

    it('for a key that is not in the state, then nothing changes', () => {
      const state = fullState();
      applyConfigRecord(state, configKey.domain('unknown.example.com'), null);
      applyConfigRecord(state, 'something-else/acc_primary', null);
      applyConfigRecord(state, 'no-slash', null);
      assert.deepEqual(state, fullState());
    });
  });

  it('given a tombstone, when the entity is re-created afterwards, then it is back', () => {
    const state = fullState();
    applyConfigRecord(state, configKey.account('acc_sub'), null);
    applyConfigRecord(state, configKey.account('acc_sub'), SUB);
    assert.deepEqual(state.accounts.get('acc_sub'), SUB);
  });
});

describe('ownersOf', () => {
  it("given a primary's domain, then the owner is the primary and there is no parent", () => {
    assert.deepEqual(ownersOf(fullState(), 'p.example.com'), { account: PRIMARY, primary: null });
  });

  it("given a subaccount's domain, then the owner is the subaccount and its primary is returned", () => {
    assert.deepEqual(ownersOf(fullState(), 's.example.com'), { account: SUB, primary: PRIMARY });
  });

  it('given an unknown domain, then there are no owners', () => {
    assert.equal(ownersOf(fullState(), 'unknown.example.com'), null);
  });

  it('given a domain whose account is not (yet) known, then there are no owners', () => {
    const state = fullState();
    applyConfigRecord(state, configKey.account('acc_primary'), null);
    assert.equal(ownersOf(state, 'p.example.com'), null);
  });

  it('given a subaccount whose primary is not known, then the primary is null', () => {
    const state = fullState();
    applyConfigRecord(state, configKey.account('acc_primary'), null);
    assert.deepEqual(ownersOf(state, 's.example.com'), { account: SUB, primary: null });
  });
});

describe('primaryIn', () => {
  it('given a primary, then it is its own primary; given a subaccount, then its parent', () => {
    assert.equal(primaryIn(fullState(), PRIMARY), PRIMARY);
    assert.deepEqual(primaryIn(fullState(), SUB), PRIMARY);
  });

  it('given a subaccount whose primary the view does not hold, then none', () => {
    const state = fullState();
    applyConfigRecord(state, configKey.account('acc_primary'), null);
    assert.equal(primaryIn(state, SUB), undefined);
  });
});
