import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Mailgun from 'mailgun.js';
import { Enums } from 'mailgun.js/definitions';
import { Client } from 'pg';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient, type ApiAnswer, type CallOptions } from '../support/api-client';
import { strayFromDocument } from '../support/openapi-answers';
import { freePort, ROOT, ServiceProcess } from '../support/processes';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

interface Account {
  id: string;
  api_key: string;
  signing_key: string;
}

function expectMessage(answer: ApiAnswer, status: number, pattern: RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.message, 'string', JSON.stringify(answer.body));
  assert.match(answer.body.message as string, pattern);
}

describe('config API (Mailgun-compatible REST) against the real config service and PostgreSQL', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let api: ApiClient;
  let a: Account;
  let b: Account;
  let sub: Account;

  const account = async (name: string, parent?: string) =>
    (await system.admin('/internal/v1/accounts', { name, parent_account_id: parent })) as unknown as Account;
  const domain = (name: string, accountId: string) =>
    system.admin('/internal/v1/domains', { name, account_id: accountId });

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start({ services: ['config'] });
    api = new ApiClient(system.api);
    a = await account('A');
    b = await account('B');
    sub = await account('A sub', a.id);
    await domain('a.example.com', a.id);
    await domain('b.example.com', b.id);
    await domain('sub.example.com', sub.id);
  });

  afterAll(async () => {
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('serves its OpenAPI document at /openapi.json without credentials, equal to docs/openapi.json', async () => {
    const res = await fetch(`${system.api}/openapi.json`);
    assert.equal(res.status, 200);
    const served = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    const kept = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
    expectEqual(served, kept);
    assert.equal(served.openapi, '3.1.0');
  });

  it('answers every operation as its OpenAPI document says, successes and refusals alike', async () => {
    const owner = await account('Doc');
    await domain('doc.example.com', owner.id);
    const answers: Array<[string, string, ApiAnswer]> = [];
    const call = async (
      method: string,
      path: string,
      opts: CallOptions = {},
      key: string | null = owner.api_key,
    ) => {
      const answer = await api.as(key).call(method, path, opts);
      answers.push([method, path, answer]);
      return answer;
    };
    const admin = (method: string, path: string, json: unknown = {}) =>
      call(
        method,
        path,
        {
          headers: { authorization: `Bearer ${system.env.ADMIN_TOKEN}`, 'content-type': 'application/json' },
          rawBody: JSON.stringify(json),
        },
        null,
      );
    const url = receiver.url('/doc');
    const d = '/v3/domains/doc.example.com';
    const v4 = '/v4/domains/doc.example.com';

    await call('POST', `${d}/webhooks`, { form: { id: 'opened', url } });
    await call('POST', `${d}/webhooks`, { form: { id: 'opened', url } });
    await call('GET', `${d}/webhooks`);
    await call('GET', `${d}/webhooks/opened`);
    await call('PUT', `${d}/webhooks/opened`, { form: { url } });
    await call('PUT', `${d}/webhooks/opened/test`, { form: { url } });
    await call('DELETE', `${d}/webhooks/opened`);
    await call('GET', `${d}/webhooks/opened`);
    await call('POST', `${v4}/webhooks`, { form: { url, event_types: ['clicked', 'opened'] } });
    await call('PUT', `${v4}/webhooks`, { form: { url, event_types: 'bounced' } });
    await call('DELETE', `${v4}/webhooks?url=${encodeURIComponent(url)}`);
    const created = await call('POST', '/v1/webhooks', { form: { url, event_types: 'clicked' } });
    await call('POST', '/v1/webhooks', { form: { url, event_types: 'opened' } });
    const id = String(created.body.webhook_id);
    await call('GET', `/v1/webhooks?webhook_ids=${id}`);
    await call('GET', `/v1/webhooks/${id}`);
    await call('PUT', `/v1/webhooks/${id}`, { form: { description: 'documented' } });
    await call('DELETE', `/v1/webhooks/${id}`);
    await call('DELETE', '/v1/webhooks?all=true');
    await call('GET', v4);
    await call('PUT', v4, { form: { webhooks_redact_pii: 'false' } });
    await call('GET', '/v5/accounts/features');
    await call('PUT', '/v5/accounts/features', { form: { standard_webhooks: '{"enabled": false}' } });
    await call('GET', '/v5/accounts/http_signing_key');
    await call('POST', '/v5/accounts/http_signing_key');
    await call('GET', `${d}/webhook-failures?limit=5`);
    await call('GET', `${d}/webhook-failures?limit=0`);
    await call('GET', '/v1/webhook-failures');
    await call('POST', `${d}/webhook-failures/no-such-event/resend`);
    await call('GET', `${d}/webhooks`, {}, 'key-wrong');
    const key = await admin('POST', `/internal/v1/accounts/${owner.id}/keys`);
    await admin('DELETE', `/internal/v1/accounts/${owner.id}/keys/${String(key.body.id)}`);
    await admin('POST', '/internal/v1/domains', { name: 'doc2.example.com', account_id: owner.id });
    await admin('POST', '/internal/v1/domains', { name: 'doc2.example.com', account_id: owner.id });
    await admin('POST', '/internal/v1/accounts', { name: 'Doc sub', parent_account_id: owner.id });

    const strays = answers.map(([method, path, answer]) => strayFromDocument(method, path, answer));
    assert.deepEqual(strays.filter(Boolean), []);
    const statuses = new Set(answers.map(([, , answer]) => answer.status));
    assert.deepEqual(
      [200, 201, 400, 401, 404, 409].filter((status) => !statuses.has(status)),
      [],
    );
  });

  describe('the official mailgun.js client, unchanged, pointed at the API with its url option', () => {
    const client = () =>
      new Mailgun(FormData).client({ username: 'api', key: a.api_key, url: system.api, timeout: 10_000 });
    const u = (n: number) => receiver.url(`/mg/${n}`);

    it('creates, reads, updates to 3 URLs, lists, tests and deletes a webhook', async () => {
      const mg = client();
      const created = await mg.webhooks.create('a.example.com', 'clicked', u(1), false);
      expectEqual(created, { id: 'clicked', url: u(1), urls: [u(1)] });

      expectEqual(await mg.webhooks.get('a.example.com', Enums.WebhooksIds.CLICKED), {
        id: 'clicked',
        url: u(1),
        urls: [u(1)],
      });

      const updated = await mg.webhooks.update('a.example.com', 'clicked', [u(1), u(2), u(3)]);
      expectEqual(updated, { id: 'clicked', url: u(1), urls: [u(1), u(2), u(3)] });

      // mailgun.js names `unsubscribed` `unsubscribe`: the alias is accepted.
      await mg.webhooks.create('a.example.com', 'unsubscribe', u(4), false);
      expectEqual(await mg.webhooks.list('a.example.com', {}), {
        clicked: { urls: [u(1), u(2), u(3)] },
        unsubscribed: { urls: [u(4)] },
      });

      receiver.replyBody = () => 'test received';
      const tested = await mg.webhooks.create('a.example.com', 'clicked', receiver.url('/mg/test'), true);
      expectEqual(tested, { code: 200, message: 'test received' });
      const [post] = await receiver.waitFor('/mg/test', 1);
      const body = JSON.parse(post.body);
      assert.equal(body['event-data'].event, 'clicked');
      assert.equal(body['event-data'].domain.name, 'a.example.com');
      const sig = body.signature;
      assert.equal(
        sig.signature,
        createHmac('sha256', a.signing_key)
          .update(sig.timestamp + sig.token)
          .digest('hex'),
      );

      const deleted = await mg.webhooks.destroy('a.example.com', 'clicked');
      expectEqual(deleted, { id: 'clicked', url: u(1), urls: [u(1), u(2), u(3)] });
      await assert.rejects(mg.webhooks.get('a.example.com', Enums.WebhooksIds.CLICKED), { status: 404 });
      await mg.webhooks.destroy('a.example.com', 'unsubscribed');
    });

    it('reads and rotates the signing key, and sets account PII redaction', async () => {
      const mg = client();
      const before = await mg.accountManagement.getWebhookSigningKey();
      assert.equal(before.http_signing_key, a.signing_key);
      // mailgun.js types the rotation's answer without the key it carries.
      const rotated = (await mg.accountManagement.createWebhookSigningKey()) as unknown as {
        http_signing_key: string;
      };
      assert.match(rotated.http_signing_key, /^[0-9a-f]{32}$/);
      assert.notEqual(rotated.http_signing_key, a.signing_key);
      const after = await mg.accountManagement.getWebhookSigningKey();
      assert.equal(after.http_signing_key, rotated.http_signing_key);
      a.signing_key = rotated.http_signing_key;

      await mg.accountManagement.updateAccountFeature({ webhooks_redact_pii: { enabled: true } });
      expectEqual((await api.as(a.api_key).call('GET', '/v5/accounts/features')).body, {
        features: {
          webhooks_redact_pii: { enabled: true, inherited: false },
          standard_webhooks: { enabled: false },
          parent_signature: { enabled: true, inherited: false },
        },
      });
      await mg.accountManagement.updateAccountFeature({ webhooks_redact_pii: { enabled: false } });
    });

    it('acts for a subaccount with setSubaccount (X-Mailgun-On-Behalf-Of)', async () => {
      const mg = client();
      mg.setSubaccount(sub.id);
      await mg.webhooks.create('sub.example.com', 'delivered', u(9), false);
      expectEqual(await mg.webhooks.list('sub.example.com', {}), { delivered: { urls: [u(9)] } });
    });
  });

  describe('v3 domain webhooks with urlencoded bodies (as mailgun-go sends them)', () => {
    it('creates with a repeated url field, updates and deletes', async () => {
      const as = api.as(a.api_key);
      const urls = [receiver.url('/ue/1'), receiver.url('/ue/2')];
      const created = await as.call('POST', '/v3/domains/a.example.com/webhooks', {
        form: { id: 'opened', url: urls },
        encoding: 'urlencoded',
      });
      expectEqual(created, {
        status: 200,
        body: { message: 'Webhook has been created', webhook: { urls } },
        headers: expect.anything(),
      });
      const updated = await as.call('PUT', '/v3/domains/a.example.com/webhooks/opened', {
        form: { url: urls[1] },
        encoding: 'urlencoded',
      });
      expectEqual(updated.body, { message: 'Webhook has been updated', webhook: { urls: [urls[1]] } });
      const deleted = await as.call('DELETE', '/v3/domains/a.example.com/webhooks/opened');
      expectEqual(deleted.body, { message: 'Webhook has been deleted', webhook: { urls: [urls[1]] } });
    });
  });

  describe('errors in Mailgun shape', () => {
    const post = (form: Record<string, string | string[]>, key = a.api_key) =>
      api.call('POST', '/v3/domains/a.example.com/webhooks', { key, form });

    it('400 for a bad webhook name', async () => {
      expectMessage(
        await post({ id: 'bounced', url: 'https://x.example.com/' }),
        400,
        /Invalid webhook name/,
      );
      expectMessage(
        await api.as(a.api_key).call('GET', '/v3/domains/a.example.com/webhooks/bounced'),
        400,
        /Invalid webhook name/,
      );
    });
    it('400 for a malformed URL and for a non-http(s) URL', async () => {
      expectMessage(await post({ id: 'delivered', url: 'not a url' }), 400, /Invalid URL/);
      expectMessage(await post({ id: 'delivered', url: 'ftp://x.example.com/' }), 400, /http or https/);
    });
    it('400 for a 4th URL', async () => {
      const urls = [1, 2, 3, 4].map((n) => `https://x.example.com/${n}`);
      expectMessage(await post({ id: 'delivered', url: urls }), 400, /at most 3 URLs/);
    });
    it('400 for a missing field', async () => {
      expectMessage(await post({ id: 'delivered' }), 400, /url is required/);
      expectMessage(await post({ url: 'https://x.example.com/' }), 400, /name is required/);
    });
    it('401 for missing or wrong credentials, and for a revoked key', async () => {
      expectMessage(await post({ id: 'delivered', url: 'https://x.example.com/' }, ''), 401, /.+/);
      expectMessage(await api.call('GET', '/v3/domains/a.example.com/webhooks'), 401, /.+/);
      expectMessage(await api.as('key-wrong').call('GET', '/v3/domains/a.example.com/webhooks'), 401, /.+/);
      const res = await fetch(`${system.api}/v3/domains/a.example.com/webhooks`, {
        headers: { authorization: 'Bearer whatever' },
      });
      assert.equal(res.status, 401);
    });
    it('404 for a webhook that is not set and a domain that does not exist', async () => {
      expectMessage(
        await api.as(a.api_key).call('GET', '/v3/domains/a.example.com/webhooks/complained'),
        404,
        /Webhook not found/,
      );
      expectMessage(
        await api.as(a.api_key).call('GET', '/v3/domains/nowhere.example.com/webhooks'),
        404,
        /Domain not found/,
      );
    });
    it('413 for an oversized body, multipart or urlencoded', async () => {
      const big = 'x'.repeat(70 * 1024);
      const multipart = await post({ id: 'delivered', url: `https://x.example.com/${big}` });
      expectMessage(multipart, 413, /too large/);
      const urlencoded = await api.as(a.api_key).call('POST', '/v3/domains/a.example.com/webhooks', {
        form: { id: 'delivered', url: `https://x.example.com/${big}` },
        encoding: 'urlencoded',
      });
      expectMessage(urlencoded, 413, /too large/);
    });
  });

  describe('isolation: one account never reads or writes another account’s data', () => {
    beforeAll(async () => {
      const created = await api.as(b.api_key).call('POST', '/v3/domains/b.example.com/webhooks', {
        form: { id: 'delivered', url: 'https://b-private.example.com/hook' },
      });
      assert.equal(created.status, 200);
    });

    it('A gets 404 on every v3/v4 operation on B’s domain, with the same answer as a missing domain', async () => {
      const as = api.as(a.api_key);
      const calls: Array<[string, string, Record<string, string | string[]>?]> = [
        ['GET', '/v3/domains/b.example.com/webhooks'],
        ['GET', '/v3/domains/b.example.com/webhooks/delivered'],
        ['POST', '/v3/domains/b.example.com/webhooks', { id: 'opened', url: 'https://evil.example.com/' }],
        ['PUT', '/v3/domains/b.example.com/webhooks/delivered', { url: 'https://evil.example.com/' }],
        ['DELETE', '/v3/domains/b.example.com/webhooks/delivered'],
        ['PUT', '/v3/domains/b.example.com/webhooks/delivered/test', { url: receiver.url('/evil') }],
        [
          'POST',
          '/v4/domains/b.example.com/webhooks',
          { url: 'https://evil.example.com/', event_types: 'opened' },
        ],
        ['GET', '/v4/domains/b.example.com'],
        ['PUT', '/v4/domains/b.example.com', { webhooks_redact_pii: 'false' }],
      ];
      for (const [method, path, form] of calls) {
        const answer = await as.call(method, path, { form });
        expectEqual(
          { call: `${method} ${path}`, status: answer.status, body: answer.body },
          {
            call: `${method} ${path}`,
            status: 404,
            body: { message: 'Domain not found' },
          },
        );
      }
      const bView = await api.as(b.api_key).call('GET', '/v3/domains/b.example.com/webhooks');
      expectEqual(bView.body, { webhooks: { delivered: { urls: ['https://b-private.example.com/hook'] } } });
      assert.equal(receiver.received('/evil').length, 0);
    });

    it('A cannot read, change or delete B’s account-level webhooks', async () => {
      const created = await api.as(b.api_key).call('POST', '/v1/webhooks', {
        form: { url: 'https://b-account.example.com/hook', event_types: ['delivered'] },
      });
      const id = created.body.webhook_id as string;
      const as = api.as(a.api_key);
      expectMessage(await as.call('GET', `/v1/webhooks/${id}`), 404, /Webhook not found/);
      expectMessage(
        await as.call('PUT', `/v1/webhooks/${id}`, { form: { description: 'x' } }),
        404,
        /not found/,
      );
      expectMessage(await as.call('DELETE', `/v1/webhooks/${id}`), 404, /not found/);
      expectEqual((await as.call('GET', `/v1/webhooks?webhook_ids=${id}`)).body, { webhooks: [] });
      await as.call('DELETE', `/v1/webhooks?webhook_ids=${id}`);
      assert.equal((await api.as(b.api_key).call('GET', `/v1/webhooks/${id}`)).status, 200);
    });

    it('X-Mailgun-On-Behalf-Of only for the key’s own subaccounts; a primary alone does not see them', async () => {
      const header = { 'X-Mailgun-On-Behalf-Of': sub.id };
      assert.equal(
        (await api.as(a.api_key).call('GET', '/v3/domains/sub.example.com/webhooks', { headers: header }))
          .status,
        200,
      );
      expectMessage(
        await api.as(a.api_key).call('GET', '/v3/domains/sub.example.com/webhooks'),
        404,
        /Domain/,
      );
      expectMessage(
        await api.as(b.api_key).call('GET', '/v3/domains/sub.example.com/webhooks', { headers: header }),
        403,
        /subaccount/,
      );
      expectMessage(
        await api
          .as(sub.api_key)
          .call('GET', '/v3/domains/a.example.com/webhooks', { headers: { 'X-Mailgun-On-Behalf-Of': a.id } }),
        403,
        /subaccount/,
      );
    });
  });

  describe('v4 domain webhooks: one URL, its event types', () => {
    const hook = 'https://v4.example.com/hook';
    const other = 'https://v4-other.example.com/hook';

    it('adds a URL to several types, replaces its types, and removes it', async () => {
      const as = api.as(a.api_key);
      const added = await as.call('POST', '/v4/domains/a.example.com/webhooks', {
        form: { url: hook, event_types: ['accepted', 'delivered'] },
        encoding: 'urlencoded',
      });
      expectEqual(added.body, {
        message: 'Webhook has been created',
        webhooks: { accepted: { urls: [hook] }, delivered: { urls: [hook] } },
      });
      await as.call('POST', '/v4/domains/a.example.com/webhooks', {
        form: { url: other, event_types: 'delivered' },
      });
      const replaced = await as.call('PUT', '/v4/domains/a.example.com/webhooks', {
        form: { url: hook, event_types: ['opened', 'delivered'] },
      });
      expectEqual(replaced.body, {
        message: 'Webhook has been updated',
        webhooks: { delivered: { urls: [hook, other] }, opened: { urls: [hook] } },
      });
      const v3 = await as.call('GET', '/v3/domains/a.example.com/webhooks/opened');
      expectEqual(v3.body, { webhook: { urls: [hook] } });
      const removed = await as.call(
        'DELETE',
        `/v4/domains/a.example.com/webhooks?url=${encodeURIComponent(hook)}`,
      );
      expectEqual(removed.body, {
        message: 'Webhook has been deleted',
        webhooks: { delivered: { urls: [other] } },
      });
      expectMessage(
        await as.call('DELETE', `/v4/domains/a.example.com/webhooks?url=${encodeURIComponent(hook)}`),
        404,
        /No webhook with URL/,
      );
      await as.call('DELETE', `/v4/domains/a.example.com/webhooks?url=${encodeURIComponent(other)}`);
    });

    it('refuses a 4th URL on a type, a bad type, and a missing url', async () => {
      const as = api.as(a.api_key);
      for (const n of [1, 2, 3]) {
        const ok = await as.call('POST', '/v4/domains/a.example.com/webhooks', {
          form: { url: `https://full.example.com/${n}`, event_types: 'complained' },
        });
        assert.equal(ok.status, 200);
      }
      expectMessage(
        await as.call('POST', '/v4/domains/a.example.com/webhooks', {
          form: { url: 'https://full.example.com/4', event_types: ['opened', 'complained'] },
        }),
        400,
        /complained already has 3 URLs/,
      );
      // Nothing of the refused change was written (not even the `opened` part).
      expectEqual((await as.call('GET', '/v3/domains/a.example.com/webhooks')).body, {
        webhooks: { complained: { urls: [1, 2, 3].map((n) => `https://full.example.com/${n}`) } },
      });
      expectMessage(
        await as.call('POST', '/v4/domains/a.example.com/webhooks', {
          form: { url: hook, event_types: 'bounce' },
        }),
        400,
        /Invalid event type/,
      );
      expectMessage(
        await as.call('POST', '/v4/domains/a.example.com/webhooks', { form: { event_types: 'opened' } }),
        400,
        /url is required/,
      );
      await as.call('DELETE', '/v3/domains/a.example.com/webhooks/complained');
    });
  });

  describe('v1 account-level webhooks', () => {
    it('creates, reads, lists by ids, updates and deletes', async () => {
      const as = api.as(a.api_key);
      const created = await as.call('POST', '/v1/webhooks', {
        form: {
          url: 'https://acct.example.com/1',
          event_types: ['delivered', 'opened'],
          description: 'first',
        },
      });
      assert.equal(created.status, 200);
      const id = created.body.webhook_id as string;
      assert.match(id, /^[0-9a-f]{24}$/);
      const got = await as.call('GET', `/v1/webhooks/${id}`);
      expectEqual(got.body, {
        webhook_id: id,
        url: 'https://acct.example.com/1',
        description: 'first',
        event_types: ['delivered', 'opened'],
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      const second = await as.call('POST', '/v1/webhooks', {
        form: { url: 'https://acct.example.com/2', event_types: 'clicked' },
        encoding: 'urlencoded',
      });
      const id2 = second.body.webhook_id as string;
      const listed = await as.call('GET', '/v1/webhooks');
      assert.deepEqual(
        (listed.body.webhooks as Array<{ webhook_id: string }>).map((w) => w.webhook_id),
        [id, id2],
      );
      const filtered = await as.call('GET', `/v1/webhooks?webhook_ids=${id2}`);
      assert.deepEqual(
        (filtered.body.webhooks as Array<{ webhook_id: string }>).map((w) => w.webhook_id),
        [id2],
      );
      const updated = await as.call('PUT', `/v1/webhooks/${id}`, { form: { event_types: ['complained'] } });
      expectEqual(updated.body, {
        message: 'Webhook has been updated',
        webhook_id: id,
        url: 'https://acct.example.com/1',
        description: 'first',
        event_types: ['complained'],
        created_at: got.body.created_at,
      });
      expectEqual((await as.call('DELETE', `/v1/webhooks/${id}`)).body, {
        message: 'Webhook has been deleted',
      });
      expectMessage(await as.call('GET', `/v1/webhooks/${id}`), 404, /not found/);
      expectEqual((await as.call('DELETE', '/v1/webhooks?all=true')).body, {
        message: 'Webhooks have been deleted',
        deleted: 1,
      });
      expectEqual((await as.call('GET', '/v1/webhooks')).body, { webhooks: [] });
    });

    it('allows at most 3 distinct URLs per event type, and one webhook per URL', async () => {
      const as = api.as(a.api_key);
      for (const n of [1, 2, 3]) {
        const ok = await as.call('POST', '/v1/webhooks', {
          form: { url: `https://lim.example.com/${n}`, event_types: ['delivered'] },
        });
        assert.equal(ok.status, 200);
      }
      expectMessage(
        await as.call('POST', '/v1/webhooks', {
          form: { url: 'https://lim.example.com/4', event_types: 'delivered' },
        }),
        400,
        /delivered already has 3 account-level URLs/,
      );
      expectMessage(
        await as.call('POST', '/v1/webhooks', {
          form: { url: 'https://lim.example.com/1', event_types: 'opened' },
        }),
        409,
        /already exists/,
      );
      expectMessage(
        await as.call('POST', '/v1/webhooks', { form: { url: 'https://lim.example.com/5' } }),
        400,
        /event_types/,
      );
      expectMessage(await as.call('DELETE', '/v1/webhooks'), 400, /webhook_ids or all=true/);
      await as.call('DELETE', '/v1/webhooks?all=true');
    });
  });

  describe('PII settings', () => {
    it('domain level: PUT /v4/domains/{d} and read back with GET', async () => {
      const as = api.as(a.api_key);
      const put = await as.call('PUT', '/v4/domains/a.example.com', {
        form: { webhooks_redact_pii: 'true' },
        encoding: 'urlencoded',
      });
      expectEqual(put.body, {
        message: 'Domain has been updated',
        domain: {
          name: 'a.example.com',
          state: 'active',
          created_at: expect.any(String),
          webhooks_redact_pii: true,
        },
      });
      assert.equal(
        ((await as.call('GET', '/v4/domains/a.example.com')).body.domain as { webhooks_redact_pii: boolean })
          .webhooks_redact_pii,
        true,
      );
      expectMessage(
        await as.call('PUT', '/v4/domains/a.example.com', { form: { webhooks_redact_pii: 'maybe' } }),
        400,
        /true or false/,
      );
      await as.call('PUT', '/v4/domains/a.example.com', { form: { webhooks_redact_pii: 'false' } });
    });

    it('account level: primary only; a subaccount inherits and cannot set it', async () => {
      expectMessage(
        await api.as(sub.api_key).call('PUT', '/v5/accounts/features', {
          form: { webhooks_redact_pii: '{"enabled": true}' },
        }),
        403,
        /primary account/,
      );
      await api
        .as(a.api_key)
        .call('PUT', '/v5/accounts/features', { form: { webhooks_redact_pii: '{"enabled": true}' } });
      expectEqual((await api.as(sub.api_key).call('GET', '/v5/accounts/features')).body, {
        features: {
          webhooks_redact_pii: { enabled: true, inherited: true },
          standard_webhooks: { enabled: false },
          parent_signature: { enabled: true, inherited: true },
        },
      });
      expectMessage(
        await api
          .as(a.api_key)
          .call('PUT', '/v5/accounts/features', { form: { webhooks_redact_pii: 'yes' } }),
        400,
        /JSON/,
      );
      await api
        .as(a.api_key)
        .call('PUT', '/v5/accounts/features', { form: { webhooks_redact_pii: '{"enabled": false}' } });
    });
  });

  describe('API keys over the internal API', () => {
    it('creates a second key that works, and revokes it (then 401)', async () => {
      const created = await system.admin(`/internal/v1/accounts/${b.id}/keys`, { description: 'ci' });
      assert.match(created.api_key, /^key-[0-9a-f]{48}$/);
      assert.equal(
        (await api.as(created.api_key).call('GET', '/v3/domains/b.example.com/webhooks')).status,
        200,
      );
      const revoked = await fetch(`${system.api}/internal/v1/accounts/${b.id}/keys/${created.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${system.env.ADMIN_TOKEN}` },
      });
      assert.equal(revoked.status, 200);
      assert.equal(
        (await api.as(created.api_key).call('GET', '/v3/domains/b.example.com/webhooks')).status,
        401,
      );
      assert.equal((await api.as(b.api_key).call('GET', '/v3/domains/b.example.com/webhooks')).status, 200);
    });
  });

  describe('the database holds the limits too, whatever races past the service', () => {
    const sql = async (text: string, params: unknown[] = []) => {
      const c = new Client({ connectionString: system.env.DATABASE_URL });
      await c.connect();
      try {
        return await c.query(text, params);
      } finally {
        await c.end();
      }
    };

    it('a 4th domain webhook URL for one event type is refused by PostgreSQL', async () => {
      await sql(
        `INSERT INTO domain_webhooks (domain, event_type, url) VALUES
           ('b.example.com', 'clicked', 'https://d.example.com/1'),
           ('b.example.com', 'clicked', 'https://d.example.com/2'),
           ('b.example.com', 'clicked', 'https://d.example.com/3')`,
      );
      await assert.rejects(
        sql(
          `INSERT INTO domain_webhooks (domain, event_type, url) VALUES ('b.example.com', 'clicked', 'https://d.example.com/4')`,
        ),
        /already has 3 URLs/,
      );
      await sql(`DELETE FROM domain_webhooks WHERE domain = 'b.example.com' AND event_type = 'clicked'`);
    });

    it('a 4th account-level URL for one event type, an unknown event type and an upper-case domain are refused', async () => {
      for (const n of [1, 2, 3]) {
        await sql(
          `INSERT INTO account_webhooks (id, account_id, url, event_types) VALUES ($1, $2, $3, '{opened}')`,
          [`db-${n}`, b.id, `https://acct-db.example.com/${n}`],
        );
      }
      await assert.rejects(
        sql(
          `INSERT INTO account_webhooks (id, account_id, url, event_types) VALUES ('db-4', $1, 'https://acct-db.example.com/4', '{clicked,opened}')`,
          [b.id],
        ),
        /3 account-level URLs/,
      );
      await assert.rejects(
        sql(
          `INSERT INTO account_webhooks (id, account_id, url, event_types) VALUES ('db-5', $1, 'https://x.example.com/', '{bounced}')`,
          [b.id],
        ),
        /account_webhooks_event_types/,
      );
      await assert.rejects(
        sql(`INSERT INTO domains (name, account_id) VALUES ('UPPER.example.com', $1)`, [b.id]),
        /domains_name_lower/,
      );
      await sql(`DELETE FROM account_webhooks WHERE id LIKE 'db-%'`);
    });
  });

  describe('rate limit: 300 requests per minute per account, shared in PostgreSQL', () => {
    it('the 301st request across two replicas gets 429 {"retry-seconds": 60}; another account is not limited', async () => {
      const r = await account('R');
      await domain('r.example.com', r.id);
      const env = { ...system.env, GRPC_PORT: String(await freePort()) }; // not the first replica's
      const second = ServiceProcess.spawn('config', env, await freePort());
      try {
        await second.waitReady();
        const replicas = [api.as(r.api_key), new ApiClient(second.url, r.api_key)];
        const answers: number[] = [];
        for (let i = 0; i < 300; i += 30) {
          const batch = await Promise.all(
            Array.from({ length: 30 }, (_, n) =>
              replicas[n % 2].call('GET', '/v3/domains/r.example.com/webhooks'),
            ),
          );
          answers.push(...batch.map((x) => x.status));
        }
        assert.deepEqual(new Set(answers), new Set([200]));
        for (const replica of replicas) {
          const limited = await replica.call('GET', '/v3/domains/r.example.com/webhooks');
          assert.equal(limited.status, 429);
          assert.equal(limited.body['retry-seconds'], 60);
          assert.equal(typeof limited.body.message, 'string');
          assert.equal((await replica.call('GET', '/v1/webhooks')).status, 429);
        }
        assert.equal((await api.as(b.api_key).call('GET', '/v3/domains/b.example.com/webhooks')).status, 200);
      } finally {
        await second.stop();
      }
    });
  });
});
