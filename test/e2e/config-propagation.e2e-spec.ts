import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ApiClient } from '../support/api-client';
import { Receiver, type ReceivedRequest } from '../support/receiver';
import { TestSystem } from '../support/system';

/** Hookpost promises a change is in effect for events produced this long after the API answered. */
const EFFECTIVE_AFTER_MS = 1000;

interface Account {
  id: string;
  api_key: string;
  signing_key: string;
}

interface Posted {
  signature: { timestamp: string; token: string; signature: string };
  'parent-signature'?: { timestamp: string; token: string; signature: string };
  'event-data': Record<string, unknown> & { id: string };
}

const signed = (key: string, s: Posted['signature']) =>
  createHmac('sha256', key)
    .update(s.timestamp + s.token)
    .digest('hex') === s.signature;

describe('configuration as events: a change through the API is in effect for events produced 1 s later', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let primary: Account;
  let sub: Account;
  let api: ApiClient;

  /** Produces the seed `delivered` event for a domain with a fresh id; returns the id. */
  const produceDelivered = async (domain: string): Promise<string> =>
    (await system.produceSeedEvents('delivered', domain, 1))[0];

  const postsOf = (path: string, eventId: string): Posted[] =>
    receiver
      .received(path)
      .map((r: ReceivedRequest) => JSON.parse(r.body) as Posted)
      .filter((p) => p['event-data'].id === eventId);

  const waitPost = async (path: string, eventId: string): Promise<Posted> => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const [post] = postsOf(path, eventId);
      if (post) return post;
      await sleep(20);
    }
    throw new Error(`no POST of ${eventId} on ${path}`);
  };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start();
    primary = (await system.admin('/internal/v1/accounts', { name: 'P' })) as unknown as Account;
    sub = (await system.admin('/internal/v1/accounts', {
      name: 'S',
      parent_account_id: primary.id,
    })) as unknown as Account;
    await system.admin('/internal/v1/domains', { name: 'p.example.com', account_id: primary.id });
    await system.admin('/internal/v1/domains', { name: 's.example.com', account_id: sub.id });
    await system.configPropagated();
    api = new ApiClient(system.api, primary.api_key);
  });

  afterAll(async () => {
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('a new domain webhook receives an event produced 1 s after it was created', async () => {
    const created = await api.call('POST', '/v3/domains/p.example.com/webhooks', {
      form: { id: 'delivered', url: receiver.url('/p/first') },
    });
    assert.equal(created.status, 200);
    await sleep(EFFECTIVE_AFTER_MS);
    const id = await produceDelivered('p.example.com');
    const post = await waitPost('/p/first', id);
    assert.ok(signed(primary.signing_key, post.signature));
  });

  it('a changed URL: the next event goes to the new URL, not the old one', async () => {
    const updated = await api.call('PUT', '/v3/domains/p.example.com/webhooks/delivered', {
      form: { url: receiver.url('/p/second') },
    });
    assert.equal(updated.status, 200);
    await sleep(EFFECTIVE_AFTER_MS);
    const id = await produceDelivered('p.example.com');
    await waitPost('/p/second', id);
    assert.equal(postsOf('/p/first', id).length, 0);
  });

  it('domain PII redaction turned on: the next event arrives redacted', async () => {
    const put = await api.call('PUT', '/v4/domains/p.example.com', { form: { webhooks_redact_pii: 'true' } });
    assert.equal(put.status, 200);
    await sleep(EFFECTIVE_AFTER_MS);
    const id = await produceDelivered('p.example.com');
    const data = (await waitPost('/p/second', id))['event-data'] as unknown as {
      recipient: string;
      envelope: { targets: string };
      message: { headers: { to: string; 'message-id': string } };
    };
    assert.equal(data.recipient, '[REDACTED]');
    assert.equal(data.envelope.targets, '[REDACTED]');
    assert.equal(data.message.headers.to, '[REDACTED]');
    assert.notEqual(data.message.headers['message-id'], '[REDACTED]');
    await api.call('PUT', '/v4/domains/p.example.com', { form: { webhooks_redact_pii: 'false' } });
  });

  it('a rotated signing key signs the next event; the old key no longer verifies', async () => {
    const rotated = await api.call('POST', '/v5/accounts/http_signing_key');
    assert.equal(rotated.status, 200);
    const key = rotated.body.http_signing_key as string;
    await sleep(EFFECTIVE_AFTER_MS);
    const id = await produceDelivered('p.example.com');
    const post = await waitPost('/p/second', id);
    assert.ok(signed(key, post.signature), 'signed with the new key');
    assert.ok(!signed(primary.signing_key, post.signature), 'not with the old one');
    primary.signing_key = key;
  });

  it("a primary's new account-level webhook fires for its subaccount's domain; deleted, it stops", async () => {
    const created = await api.call('POST', '/v1/webhooks', {
      form: { url: receiver.url('/p/account'), event_types: 'delivered' },
    });
    assert.equal(created.status, 200);
    const subHook = await api.call('POST', '/v3/domains/s.example.com/webhooks', {
      form: { id: 'delivered', url: receiver.url('/s/domain') },
      headers: { 'X-Mailgun-On-Behalf-Of': sub.id },
    });
    assert.equal(subHook.status, 200);
    await sleep(EFFECTIVE_AFTER_MS);
    const id = await produceDelivered('s.example.com');
    const post = await waitPost('/p/account', id);
    assert.ok(signed(sub.signing_key, post.signature), "signed with the subaccount's key");
    assert.ok(post['parent-signature'] && signed(primary.signing_key, post['parent-signature']));
    await waitPost('/s/domain', id);

    const deleted = await api.call('DELETE', `/v1/webhooks/${created.body.webhook_id as string}`);
    assert.equal(deleted.status, 200);
    await sleep(EFFECTIVE_AFTER_MS);
    const next = await produceDelivered('s.example.com');
    await waitPost('/s/domain', next);
    await sleep(200);
    assert.equal(postsOf('/p/account', next).length, 0);
  });
});
