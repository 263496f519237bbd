import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  configKey,
  deliveryId,
  type AccountRecord,
  type DeliveryJob,
  type DomainRecord,
} from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState, type ConfigState } from './config-state';
import {
  jobParts,
  parentSigningKeyFor,
  prepareDelivery,
  prepareTestSend,
  type PreparedDelivery,
} from './dispatch';
import { sampleEventData } from './samples/sample-event';
import { expectEqual } from './testing/expect-equal';
import type { MailgunSignature } from './signature';
import { SEED_DELIVERED } from './testing/seed-events';

const PRIMARY: AccountRecord = {
  kind: 'account',
  id: 'acc_primary',
  parent_id: null,
  signing_key: 'key-primary-secret',
  redact_pii: false,
  standard_webhooks: false,
};
const SUB: AccountRecord = {
  ...PRIMARY,
  id: 'acc_sub',
  parent_id: 'acc_primary',
  signing_key: 'key-sub-secret',
};
const P_DOMAIN: DomainRecord = {
  kind: 'domain',
  name: 'p.example.com',
  account_id: 'acc_primary',
  redact_pii: false,
};
const S_DOMAIN: DomainRecord = { ...P_DOMAIN, name: 's.example.com', account_id: 'acc_sub' };

function state(options: { primary?: boolean; sub?: boolean } = {}): ConfigState {
  const s = emptyConfigState();
  if (options.primary !== false) applyConfigRecord(s, configKey.account(PRIMARY.id), PRIMARY);
  if (options.sub !== false) applyConfigRecord(s, configKey.account(SUB.id), SUB);
  applyConfigRecord(s, configKey.domain(P_DOMAIN.name), P_DOMAIN);
  applyConfigRecord(s, configKey.domain(S_DOMAIN.name), S_DOMAIN);
  return s;
}

const HOOK_URL = 'https://hooks.example.net/mailgun';
const NOW_MS = 1_770_146_798_999;
const TOKEN = 'ab'.repeat(25);

function job(domain: string, overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    delivery_id: deliveryId('MXcc2gEpS-eN8HfkOnmK2w', HOOK_URL),
    event_id: 'MXcc2gEpS-eN8HfkOnmK2w',
    webhook: 'delivered',
    domain,
    message_id: '20260203192030.53383e583ab41f62@sample.mailgun.com',
    url: HOOK_URL,
    level: 'domain',
    attempt: 1,
    trigger: 'initial',
    created_at: NOW_MS - 5000,
    due_at: NOW_MS - 5000,
    event_data: SEED_DELIVERED,
    ...overrides,
  };
}

const hmac = (key: string, timestamp: string, token: string) =>
  createHmac('sha256', key)
    .update(timestamp + token)
    .digest('hex');

type Body = { signature: MailgunSignature; 'parent-signature'?: MailgunSignature; 'event-data': unknown };

function bodyOf(prepared: PreparedDelivery): Body {
  assert.ok(prepared.ok, prepared.ok ? '' : prepared.reason);
  return JSON.parse(prepared.body.toString()) as Body;
}

/** A prepared delivery without the data it carries on (checked by redact-at-attempt's tests). */
function withoutData(prepared: PreparedDelivery): Omit<PreparedDelivery, 'data'> {
  const { data, ...rest } = prepared;
  void data;
  return rest;
}

describe('prepareDelivery', () => {
  it("given a primary's domain, when prepared, then the body is signed with the primary's key and has no parent-signature", () => {
    const prepared = prepareDelivery(state(), ...jobParts(job('p.example.com')), NOW_MS, TOKEN);
    const body = bodyOf(prepared);

    assert.equal(prepared.ok && prepared.accountId, 'acc_primary');
    assert.deepEqual(body.signature, {
      timestamp: '1770146798',
      token: TOKEN,
      signature: hmac('key-primary-secret', '1770146798', TOKEN),
    });
    assert.equal('parent-signature' in body, false);
    assert.deepEqual(body['event-data'], SEED_DELIVERED);
  });

  it("given a subaccount's domain, when prepared, then it is signed with the subaccount's key and carries parent-signature with the primary's", () => {
    const prepared = prepareDelivery(state(), ...jobParts(job('s.example.com')), NOW_MS, TOKEN);
    const body = bodyOf(prepared);

    assert.equal(prepared.ok && prepared.accountId, 'acc_sub');
    assert.equal(body.signature.signature, hmac('key-sub-secret', '1770146798', TOKEN));
    assert.deepEqual(body['parent-signature'], {
      timestamp: '1770146798',
      token: TOKEN,
      signature: hmac('key-primary-secret', '1770146798', TOKEN),
    });
  });

  it('given an account without Standard Webhooks, when prepared, then no extra headers are sent', () => {
    const prepared = prepareDelivery(state(), ...jobParts(job('p.example.com')), NOW_MS, TOKEN);
    assert.deepEqual(prepared.ok && prepared.headers, {});
  });

  it('given an account that opted in to Standard Webhooks, when prepared, then webhook-id/-timestamp/-signature sign the exact body', () => {
    const s = state();
    applyConfigRecord(s, configKey.account(PRIMARY.id), { ...PRIMARY, standard_webhooks: true });
    const the = job('p.example.com');
    const prepared = prepareDelivery(s, ...jobParts(the), NOW_MS, TOKEN);
    assert.ok(prepared.ok);
    const mac = createHmac('sha256', Buffer.from('key-primary-secret'))
      .update(`${the.delivery_id}.1770146798.${prepared.body}`)
      .digest('base64');
    assert.deepEqual(prepared.headers, {
      'webhook-id': the.delivery_id,
      'webhook-timestamp': '1770146798',
      'webhook-signature': `v1,${mac}`,
    });
  });

  it('given a time within a second, when prepared, then the timestamp is whole seconds rounded down', () => {
    const body = bodyOf(prepareDelivery(state(), ...jobParts(job('p.example.com')), 1_000_999, TOKEN));
    assert.equal(body.signature.timestamp, '1000');
  });

  it('given an unknown domain, when prepared, then it fails without an account', () => {
    assert.deepEqual(
      withoutData(prepareDelivery(state(), ...jobParts(job('unknown.example.com')), NOW_MS, TOKEN)),
      {
        ok: false,
        accountId: null,
        reason: 'no account configured for domain unknown.example.com',
      },
    );
  });

  it('given a domain whose account is unknown, when prepared, then it fails without an account', () => {
    assert.deepEqual(
      withoutData(
        prepareDelivery(state({ primary: false }), ...jobParts(job('p.example.com')), NOW_MS, TOKEN),
      ),
      {
        ok: false,
        accountId: null,
        reason: 'no account configured for domain p.example.com',
      },
    );
  });

  it('given a subaccount whose primary is unknown, when prepared, then it fails naming the primary (no unsigned parent)', () => {
    assert.deepEqual(
      withoutData(
        prepareDelivery(state({ primary: false }), ...jobParts(job('s.example.com')), NOW_MS, TOKEN),
      ),
      {
        ok: false,
        accountId: 'acc_sub',
        reason: 'primary account acc_primary is not configured',
      },
    );
  });
});

describe('parentSigningKeyFor', () => {
  const OFF: AccountRecord = { ...PRIMARY, parent_signature: false };
  const withPrimary = (
    primary: AccountRecord,
    primaryHooks: Array<[string, DeliveryJob['webhook'][]]> = [],
  ) => {
    const s = state();
    applyConfigRecord(s, configKey.account(primary.id), primary);
    applyConfigRecord(s, configKey.accountWebhooks(primary.id), {
      kind: 'account_webhooks',
      account_id: primary.id,
      webhooks: primaryHooks.map(([url, types], i) => ({ id: `wh_${i}`, url, event_types: types })),
    });
    return s;
  };

  it("given no primary (a primary account's own domain), then there is no parent-signature", () => {
    assert.equal(parentSigningKeyFor(state(), job('p.example.com'), null), null);
  });

  it("given a primary with the feature on, or a record from before the feature (absent), then every URL gets the primary's key", () => {
    assert.equal(
      parentSigningKeyFor(withPrimary({ ...PRIMARY, parent_signature: true }), job('s.example.com'), PRIMARY),
      'key-primary-secret',
    );
    assert.equal(
      parentSigningKeyFor(withPrimary(PRIMARY), job('s.example.com'), PRIMARY),
      'key-primary-secret',
    );
  });

  it("given the primary turned it off, when the URL is the subaccount's, then no parent-signature", () => {
    assert.equal(parentSigningKeyFor(withPrimary(OFF), job('s.example.com'), OFF), null);
  });

  it("given the primary turned it off, when the URL is one of the primary's account-level webhooks for the type, then it keeps the primary's key", () => {
    const s = withPrimary(OFF, [[HOOK_URL, ['delivered', 'opened']]]);
    assert.equal(
      parentSigningKeyFor(s, job('s.example.com', { level: 'account' }), OFF),
      'key-primary-secret',
    );
  });

  it("given the primary turned it off, when the primary has the URL only for another event type, then the URL is the subaccount's: no parent-signature", () => {
    const s = withPrimary(OFF, [[HOOK_URL, ['opened']]]);
    assert.equal(parentSigningKeyFor(s, job('s.example.com'), OFF), null);
  });

  it("given the primary turned it off, when the job names its webhook's owner, then the owner decides, not the primary's URL list", () => {
    // The same URL at both levels is sent once: the job says whose webhook it is.
    const s = withPrimary(OFF, [[HOOK_URL, ['delivered']]]);
    const ofPrimary = job('s.example.com', { level: 'account', webhook_account_id: 'acc_primary' });
    const ofSub = job('s.example.com', { webhook_account_id: 'acc_sub' });
    assert.equal(parentSigningKeyFor(s, ofPrimary, OFF), 'key-primary-secret');
    assert.equal(parentSigningKeyFor(s, ofSub, OFF), null);
    assert.equal(parentSigningKeyFor(withPrimary(OFF), ofPrimary, OFF), 'key-primary-secret');
  });

  it("given the primary turned it off, when a subaccount's delivery is prepared, then the body has only the subaccount's signature", () => {
    const body = bodyOf(prepareDelivery(withPrimary(OFF), ...jobParts(job('s.example.com')), NOW_MS, TOKEN));
    assert.deepEqual(Object.keys(body), ['signature', 'event-data']);
    assert.equal(body.signature.signature, hmac('key-sub-secret', '1770146798', TOKEN));
  });
});

describe('prepareTestSend', () => {
  const testSend = (account: AccountRecord, url = HOOK_URL) =>
    prepareTestSend({
      account,
      domain: 's.example.com',
      webhook: 'delivered',
      url,
      eventId: 'test-event-1',
      nowMs: NOW_MS,
      token: TOKEN,
    });

  it('given an account, then the sample event of the type on the domain is signed with its key, as a delivery is', () => {
    const sent = testSend(PRIMARY);
    const body = JSON.parse(sent.body.toString()) as Body;
    assert.deepEqual(body.signature, {
      timestamp: '1770146798',
      token: TOKEN,
      signature: hmac('key-primary-secret', '1770146798', TOKEN),
    });
    expectEqual(body['event-data'], sampleEventData('delivered', 's.example.com', NOW_MS, 'test-event-1'));
    assert.deepEqual(sent.headers, {});
  });

  it("given a subaccount, then it is signed with the subaccount's key only: never parent-signature", () => {
    const body = JSON.parse(testSend(SUB).body.toString()) as Body;
    assert.equal(body.signature.signature, hmac('key-sub-secret', '1770146798', TOKEN));
    assert.equal('parent-signature' in body, false);
  });

  it('given an account with Standard Webhooks on, then a test send carries the same signature headers as a delivery: webhook-id (its delivery id), -timestamp, -signature over the exact body', () => {
    const account = { ...PRIMARY, standard_webhooks: true };
    const s = state();
    applyConfigRecord(s, configKey.account(PRIMARY.id), account);
    const delivery = prepareDelivery(s, ...jobParts(job('p.example.com')), NOW_MS, TOKEN);
    assert.ok(delivery.ok);
    const sent = testSend(account);
    assert.deepEqual(Object.keys(sent.headers), Object.keys(delivery.headers));
    const id = deliveryId('test-event-1', HOOK_URL);
    const mac = createHmac('sha256', Buffer.from('key-primary-secret'))
      .update(`${id}.1770146798.${sent.body}`)
      .digest('base64');
    assert.deepEqual(sent.headers, {
      'webhook-id': id,
      'webhook-timestamp': '1770146798',
      'webhook-signature': `v1,${mac}`,
    });
  });
});
