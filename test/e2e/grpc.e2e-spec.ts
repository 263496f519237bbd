import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { ConfigGrpcClient, configRpcNames, reflectionRequest } from '../support/grpc';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

type Account = { id: string; name: string; parent_account_id?: string; api_key: string; signing_key: string };

const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;

describe('config gRPC API (hookpost.config.v1.ConfigService) against the real config service', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let grpc: ConfigGrpcClient;
  let acme: Account;
  let other: Account;

  /** A REST call with the API key of an account. */
  const rest = (key: string, path: string, init: RequestInit = {}) =>
    fetch(`${system.api}${path}`, {
      ...init,
      headers: { authorization: basic(key), ...(init.headers as Record<string, string>) },
    });

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start({ services: ['config'] });
    grpc = new ConfigGrpcClient(system.grpc, system.env.ADMIN_TOKEN);
  });

  afterAll(async () => {
    grpc?.close();
    await receiver?.stop();
    if (system) await system.stop();
  });

  describe('authentication', () => {
    const cases: Array<[string, (token: string) => string | null]> = [
      ['no authorization metadata', () => null],
      ['a wrong token', () => 'Bearer wrong-token-wrong-token-wrong'],
      ['the admin token without a scheme', (token) => token],
      ['the admin token as basic credentials', (token) => basic(token)],
      ['the admin token with a character more', (token) => `Bearer ${token}x`],
    ];
    for (const [name, header] of cases) {
      it(`given ${name}, then the call is UNAUTHENTICATED`, async () => {
        const failure = await grpc.failure(
          'CreateAccount',
          { name: 'Intruder' },
          header(system.env.ADMIN_TOKEN),
        );
        expectEqual(failure, { code: status.UNAUTHENTICATED, details: 'Invalid admin token' });
      });
    }

    it('every RPC of the proto is served, and none without the token', async () => {
      const rpcs = configRpcNames();
      expectEqual(rpcs, [
        'CreateAccount',
        'CreateDomain',
        'CreateApiKey',
        'RevokeApiKey',
        'ListDomainWebhooks',
        'GetDomainWebhook',
        'CreateDomainWebhook',
        'UpdateDomainWebhook',
        'DeleteDomainWebhook',
        'TestDomainWebhook',
        'AddDomainWebhookUrl',
        'SetDomainWebhookUrl',
        'RemoveDomainWebhookUrl',
        'ListAccountWebhooks',
        'GetAccountWebhook',
        'CreateAccountWebhook',
        'UpdateAccountWebhook',
        'DeleteAccountWebhook',
        'DeleteAccountWebhooks',
        'GetDomain',
        'SetDomainPii',
        'GetAccountFeatures',
        'SetAccountPii',
        'SetStandardWebhooks',
        'SetParentSignature',
        'GetSigningKey',
        'RotateSigningKey',
        'ListDomainWebhookFailures',
        'ListAccountWebhookFailures',
        'ResendWebhookFailure',
      ]);
      for (const rpc of rpcs) {
        expectEqual(
          await grpc.failure(rpc, {}, null),
          { code: status.UNAUTHENTICATED, details: 'Invalid admin token' },
          rpc,
        );
        // With the token, an empty request is refused by validation, never UNIMPLEMENTED.
        const failure = await grpc.failure(rpc, {});
        assert.equal(failure.code, status.INVALID_ARGUMENT, `${rpc}: ${failure.code} ${failure.details}`);
      }
    });

    it('given the admin token, then the scheme is case-insensitive as on REST', async () => {
      const account = await grpc.call<Account>(
        'CreateAccount',
        { name: 'Case' },
        `bearer ${system.env.ADMIN_TOKEN}`,
      );
      assert.match(account.id, /^[0-9a-f]{24}$/);
    });
  });

  describe('provisioning', () => {
    it('creates a primary account with its first API key and signing key', async () => {
      acme = await grpc.call<Account>('CreateAccount', { name: 'Acme' });
      assert.match(acme.id, /^[0-9a-f]{24}$/);
      assert.equal(acme.name, 'Acme');
      assert.equal(acme.parent_account_id, undefined, 'a primary account has no parent');
      assert.match(acme.api_key, /^key-[0-9a-f]{48}$/);
      assert.match(acme.signing_key, /^[0-9a-f]{32}$/);
      other = await grpc.call<Account>('CreateAccount', { name: 'Other' });
    });

    it("creates a subaccount, and refuses a subaccount's subaccount and an unknown parent", async () => {
      const sub = await grpc.call<Account>('CreateAccount', { name: 'Acme EU', parent_account_id: acme.id });
      assert.equal(sub.parent_account_id, acme.id);
      expectEqual(await grpc.failure('CreateAccount', { name: 'x', parent_account_id: sub.id }), {
        code: status.INVALID_ARGUMENT,
        details: 'A subaccount cannot have subaccounts',
      });
      expectEqual(await grpc.failure('CreateAccount', { name: 'x', parent_account_id: 'f'.repeat(24) }), {
        code: status.NOT_FOUND,
        details: 'Parent account not found',
      });
    });

    it('refuses an account without a name with INVALID_ARGUMENT naming the field', async () => {
      expectEqual(await grpc.failure('CreateAccount', { name: '  ' }), {
        code: status.INVALID_ARGUMENT,
        details: 'name: is required',
      });
    });

    it('creates domains; a duplicate is ALREADY_EXISTS, an unknown account NOT_FOUND, a bad name INVALID_ARGUMENT', async () => {
      expectEqual(await grpc.call('CreateDomain', { name: 'Mail.Acme.test', account_id: acme.id }), {
        name: 'mail.acme.test',
        account_id: acme.id,
      });
      await grpc.call('CreateDomain', { name: 'mail.other.test', account_id: other.id });
      expectEqual(await grpc.failure('CreateDomain', { name: 'mail.acme.test', account_id: other.id }), {
        code: status.ALREADY_EXISTS,
        details: 'Domain already exists',
      });
      expectEqual(await grpc.failure('CreateDomain', { name: 'x.acme.test', account_id: 'f'.repeat(24) }), {
        code: status.NOT_FOUND,
        details: 'Account not found',
      });
      expectEqual(await grpc.failure('CreateDomain', { name: '10.0.0.1', account_id: acme.id }), {
        code: status.INVALID_ARGUMENT,
        details: 'Invalid domain name: 10.0.0.1',
      });
    });

    it('the account created over gRPC authenticates on the REST API with its key', async () => {
      const res = await rest(acme.api_key, '/v3/domains/mail.acme.test/webhooks');
      assert.equal(res.status, 200);
      expectEqual(await res.json(), { webhooks: {} });
    });
  });

  describe('domain webhooks (v3)', () => {
    const on = (fields: Record<string, unknown> = {}) => ({
      account_id: acme.id,
      domain: 'mail.acme.test',
      ...fields,
    });

    it('creates an event type with URLs (normalised) and answers as REST does', async () => {
      expectEqual(
        await grpc.call(
          'CreateDomainWebhook',
          on({ event_type: 'delivered', urls: ['https://hooks.acme.test/a', 'HTTPS://Hooks.Acme.test/b'] }),
        ),
        {
          message: 'Webhook has been created',
          webhook: { urls: ['https://hooks.acme.test/a', 'https://hooks.acme.test/b'] },
        },
      );
    });

    it('gets and lists it; the alias unsubscribe names unsubscribed', async () => {
      expectEqual(await grpc.call('GetDomainWebhook', on({ event_type: 'delivered' })), {
        webhook: { urls: ['https://hooks.acme.test/a', 'https://hooks.acme.test/b'] },
      });
      await grpc.call('CreateDomainWebhook', on({ event_type: 'unsubscribe', urls: ['https://u.test/'] }));
      expectEqual(await grpc.call('ListDomainWebhooks', on()), {
        webhooks: {
          delivered: { urls: ['https://hooks.acme.test/a', 'https://hooks.acme.test/b'] },
          unsubscribed: { urls: ['https://u.test/'] },
        },
      });
    });

    it('updates the URLs of an existing event type; a missing one is NOT_FOUND', async () => {
      expectEqual(
        await grpc.call('UpdateDomainWebhook', on({ event_type: 'delivered', urls: ['https://c.test/'] })),
        { message: 'Webhook has been updated', webhook: { urls: ['https://c.test/'] } },
      );
      expectEqual(
        await grpc.failure('UpdateDomainWebhook', on({ event_type: 'opened', urls: ['https://c.test/'] })),
        { code: status.NOT_FOUND, details: 'Webhook not found' },
      );
    });

    it('refuses what REST refuses with INVALID_ARGUMENT', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ event_type: 'bounced', urls: ['https://a.test/'] }, 'event_type: Invalid webhook name: bounced'],
        [{ event_type: '', urls: ['https://a.test/'] }, 'event_type: Webhook name is required'],
        [
          {
            event_type: 'opened',
            urls: ['https://a.test/1', 'https://a.test/2', 'https://a.test/3', 'https://a.test/4'],
          },
          'urls: A webhook may have at most 3 URLs',
        ],
        [{ event_type: 'opened', urls: [] }, 'urls: url is required'],
        [
          { event_type: 'opened', urls: ['ftp://a.test/'] },
          'urls: URL must use http or https: ftp://a.test/',
        ],
        [
          { event_type: 'opened', urls: ['https://u:p@a.test/'] },
          'urls: URL must not carry credentials: https://u:p@a.test/',
        ],
        [
          { event_type: 'delivered', urls: ['https://a.test/'] },
          'Webhook delivered already exists; use PUT to change it',
        ],
        [{ account_id: '', event_type: 'opened', urls: ['https://a.test/'] }, 'account_id: is required'],
      ];
      for (const [fields, details] of cases) {
        expectEqual(
          await grpc.failure('CreateDomainWebhook', on(fields)),
          { code: status.INVALID_ARGUMENT, details },
          JSON.stringify(fields),
        );
      }
      expectEqual(await grpc.call('GetDomainWebhook', on({ event_type: 'delivered' })), {
        webhook: { urls: ['https://c.test/'] },
      });
      expectEqual(await grpc.failure('GetDomainWebhook', on({ event_type: 'opened' })), {
        code: status.NOT_FOUND,
        details: 'Webhook not found',
      });
    });

    it("another account's domain and an unknown account are NOT_FOUND, and nothing changes", async () => {
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['ListDomainWebhooks', { account_id: other.id }, 'Domain not found'],
        ['GetDomainWebhook', { account_id: other.id, event_type: 'delivered' }, 'Domain not found'],
        [
          'UpdateDomainWebhook',
          { account_id: other.id, event_type: 'delivered', urls: ['https://x.test/'] },
          'Domain not found',
        ],
        ['DeleteDomainWebhook', { account_id: other.id, event_type: 'delivered' }, 'Domain not found'],
        ['ListDomainWebhooks', { account_id: 'f'.repeat(24) }, 'Account not found'],
        ['ListDomainWebhooks', { domain: 'nowhere.test' }, 'Domain not found'],
      ];
      for (const [method, fields, details] of cases) {
        expectEqual(
          await grpc.failure(method, on(fields)),
          { code: status.NOT_FOUND, details },
          `${method} ${JSON.stringify(fields)}`,
        );
      }
      expectEqual(await grpc.call('GetDomainWebhook', on({ event_type: 'delivered' })), {
        webhook: { urls: ['https://c.test/'] },
      });
    });

    it('a change made over gRPC is what REST answers, and a change made over REST is what gRPC answers', async () => {
      const res = await rest(acme.api_key, '/v3/domains/mail.acme.test/webhooks/delivered');
      assert.equal(res.status, 200);
      expectEqual(await res.json(), { webhook: { urls: ['https://c.test/'] } });

      const form = new FormData();
      form.append('id', 'clicked');
      form.append('url', 'https://rest.acme.test/clicked');
      const created = await rest(acme.api_key, '/v3/domains/mail.acme.test/webhooks', {
        method: 'POST',
        body: form,
      });
      assert.equal(created.status, 200);
      expectEqual(await grpc.call('GetDomainWebhook', on({ event_type: 'clicked' })), {
        webhook: { urls: ['https://rest.acme.test/clicked'] },
      });
    });

    it('deletes an event type; it is then gone over both APIs', async () => {
      expectEqual(await grpc.call('DeleteDomainWebhook', on({ event_type: 'delivered' })), {
        message: 'Webhook has been deleted',
        webhook: { urls: ['https://c.test/'] },
      });
      expectEqual(await grpc.failure('DeleteDomainWebhook', on({ event_type: 'delivered' })), {
        code: status.NOT_FOUND,
        details: 'Webhook not found',
      });
      const res = await rest(acme.api_key, '/v3/domains/mail.acme.test/webhooks/delivered');
      assert.equal(res.status, 404);
      expectEqual(await grpc.call('ListDomainWebhooks', on()), {
        webhooks: {
          unsubscribed: { urls: ['https://u.test/'] },
          clicked: { urls: ['https://rest.acme.test/clicked'] },
        },
      });
    });
  });

  describe('API keys', () => {
    it('issues a key that works on the REST API; revoked, REST answers 401', async () => {
      const key = await grpc.call<{ id: string; api_key: string; description: string }>('CreateApiKey', {
        account_id: acme.id,
        description: 'deploy bot',
      });
      assert.match(key.id, /^[0-9a-f]{16}$/);
      assert.match(key.api_key, /^key-[0-9a-f]{48}$/);
      assert.equal(key.description, 'deploy bot');
      assert.equal((await rest(key.api_key, '/v3/domains/mail.acme.test/webhooks')).status, 200);

      expectEqual(await grpc.call('RevokeApiKey', { account_id: acme.id, key_id: key.id }), {
        message: 'API key revoked',
      });
      assert.equal((await rest(key.api_key, '/v3/domains/mail.acme.test/webhooks')).status, 401);
      assert.equal((await rest(acme.api_key, '/v3/domains/mail.acme.test/webhooks')).status, 200);
    });

    it("a key is revoked once, only by its own account; an unknown account's key is NOT_FOUND", async () => {
      const key = await grpc.call<{ id: string; api_key: string }>('CreateApiKey', { account_id: acme.id });
      expectEqual(await grpc.failure('RevokeApiKey', { account_id: other.id, key_id: key.id }), {
        code: status.NOT_FOUND,
        details: 'API key not found',
      });
      assert.equal((await rest(key.api_key, '/v3/domains/mail.acme.test/webhooks')).status, 200);
      await grpc.call('RevokeApiKey', { account_id: acme.id, key_id: key.id });
      expectEqual(await grpc.failure('RevokeApiKey', { account_id: acme.id, key_id: key.id }), {
        code: status.NOT_FOUND,
        details: 'API key not found',
      });
      expectEqual(await grpc.failure('CreateApiKey', { account_id: 'f'.repeat(24) }), {
        code: status.NOT_FOUND,
        details: 'Account not found',
      });
    });
  });

  describe('test sends', () => {
    it('posts a signed sample event of the type to the URL and answers its status and body', async () => {
      receiver.respond = () => 202;
      receiver.replyBody = () => 'thanks';
      const answer = await grpc.call('TestDomainWebhook', {
        account_id: acme.id,
        domain: 'mail.acme.test',
        event_type: 'opened',
        url: receiver.url('/grpc/test'),
      });
      expectEqual(answer, { code: 202, message: 'thanks' });
      const [post] = await receiver.waitFor('/grpc/test', 1);
      const body = JSON.parse(post.body) as {
        signature: { timestamp: string; token: string; signature: string };
        'event-data': { event: string; domain: { name: string } };
      };
      assert.equal(body['event-data'].event, 'opened');
      assert.equal(body['event-data'].domain.name, 'mail.acme.test');
      const { timestamp, token, signature } = body.signature;
      assert.equal(
        signature,
        createHmac('sha256', acme.signing_key)
          .update(timestamp + token)
          .digest('hex'),
      );
    });

    it('refuses a bad URL, and a domain of another account', async () => {
      const request = { account_id: acme.id, domain: 'mail.acme.test', event_type: 'opened' };
      expectEqual(await grpc.failure('TestDomainWebhook', { ...request, url: 'gopher://x.test/' }), {
        code: status.INVALID_ARGUMENT,
        details: 'url: URL must use http or https: gopher://x.test/',
      });
      expectEqual(
        await grpc.failure('TestDomainWebhook', {
          ...request,
          account_id: other.id,
          url: receiver.url('/x'),
        }),
        { code: status.NOT_FOUND, details: 'Domain not found' },
      );
      assert.equal(receiver.received('/x').length, 0);
    });
  });

  describe('domain webhooks by URL (v4)', () => {
    const on = (fields: Record<string, unknown> = {}) => ({
      account_id: acme.id,
      domain: 'mail.acme.test',
      ...fields,
    });
    const v4 = 'https://v4.acme.test/hook';

    it('adds a URL to event types and answers the whole set', async () => {
      expectEqual(
        await grpc.call('AddDomainWebhookUrl', on({ url: v4, event_types: ['delivered', 'clicked'] })),
        {
          message: 'Webhook has been created',
          webhooks: {
            delivered: { urls: [v4] },
            clicked: { urls: ['https://rest.acme.test/clicked', v4] },
            unsubscribed: { urls: ['https://u.test/'] },
          },
        },
      );
    });

    it('sets the URL to exactly the given types, visible over REST', async () => {
      expectEqual(await grpc.call('SetDomainWebhookUrl', on({ url: v4, event_types: ['opened'] })), {
        message: 'Webhook has been updated',
        webhooks: {
          opened: { urls: [v4] },
          clicked: { urls: ['https://rest.acme.test/clicked'] },
          unsubscribed: { urls: ['https://u.test/'] },
        },
      });
      const res = await rest(acme.api_key, '/v3/domains/mail.acme.test/webhooks/opened');
      expectEqual(await res.json(), { webhook: { urls: [v4] } });
    });

    it('removes the URL from every type; an unknown URL is NOT_FOUND; bad types INVALID_ARGUMENT', async () => {
      expectEqual(await grpc.call('RemoveDomainWebhookUrl', on({ url: v4 })), {
        message: 'Webhook has been deleted',
        webhooks: {
          clicked: { urls: ['https://rest.acme.test/clicked'] },
          unsubscribed: { urls: ['https://u.test/'] },
        },
      });
      expectEqual(await grpc.failure('RemoveDomainWebhookUrl', on({ url: v4 })), {
        code: status.NOT_FOUND,
        details: `No webhook with URL ${v4}`,
      });
      expectEqual(await grpc.failure('AddDomainWebhookUrl', on({ url: v4, event_types: ['bounced'] })), {
        code: status.INVALID_ARGUMENT,
        details: 'event_types: Invalid event type: bounced',
      });
      expectEqual(await grpc.failure('AddDomainWebhookUrl', on({ url: v4, event_types: [] })), {
        code: status.INVALID_ARGUMENT,
        details: 'event_types: event_types is required',
      });
    });

    it('a 4th URL on an event type is INVALID_ARGUMENT', async () => {
      await grpc.call(
        'UpdateDomainWebhook',
        on({ event_type: 'clicked', urls: ['https://1.test/', 'https://2.test/', 'https://3.test/'] }),
      );
      expectEqual(await grpc.failure('AddDomainWebhookUrl', on({ url: v4, event_types: ['clicked'] })), {
        code: status.INVALID_ARGUMENT,
        details: 'Webhook clicked already has 3 URLs; a webhook may have at most 3',
      });
    });
  });

  describe('account webhooks', () => {
    type Hook = {
      webhook_id: string;
      url: string;
      description: string;
      event_types: string[];
      created_at: string;
    };
    let first: Hook;

    it('creates one and reads it back, the same over REST', async () => {
      const { webhook_id } = await grpc.call<{ webhook_id: string }>('CreateAccountWebhook', {
        account_id: acme.id,
        url: 'https://all.acme.test/',
        event_types: ['delivered', 'unsubscribe'],
        description: 'everything',
      });
      first = await grpc.call<Hook>('GetAccountWebhook', { account_id: acme.id, webhook_id });
      assert.ok(Math.abs(Date.parse(first.created_at) - Date.now()) < 60_000, first.created_at);
      expectEqual(first, {
        webhook_id,
        url: 'https://all.acme.test/',
        description: 'everything',
        event_types: ['delivered', 'unsubscribed'],
        created_at: first.created_at,
      });
      const res = await rest(acme.api_key, `/v1/webhooks/${webhook_id}`);
      assert.equal(res.status, 200);
      expectEqual(await res.json(), first);
    });

    it('lists all, or those named; a duplicate URL is ALREADY_EXISTS', async () => {
      const { webhook_id } = await grpc.call<{ webhook_id: string }>('CreateAccountWebhook', {
        account_id: acme.id,
        url: 'https://second.acme.test/',
        event_types: ['opened'],
      });
      const all = await grpc.call<{ webhooks: Hook[] }>('ListAccountWebhooks', { account_id: acme.id });
      expectEqual(
        all.webhooks.map((w) => w.webhook_id),
        [first.webhook_id, webhook_id],
      );
      const named = await grpc.call<{ webhooks: Hook[] }>('ListAccountWebhooks', {
        account_id: acme.id,
        webhook_ids: [webhook_id],
      });
      expectEqual(
        named.webhooks.map((w) => [w.url, w.description, w.event_types]),
        [['https://second.acme.test/', '', ['opened']]],
      );
      expectEqual(await grpc.call('ListAccountWebhooks', { account_id: other.id }), { webhooks: [] });
      expectEqual(
        await grpc.failure('CreateAccountWebhook', {
          account_id: acme.id,
          url: 'https://all.acme.test/',
          event_types: ['opened'],
        }),
        {
          code: status.ALREADY_EXISTS,
          details: 'An account-level webhook with URL https://all.acme.test/ already exists',
        },
      );
    });

    it('updates only what is sent; nothing to change is INVALID_ARGUMENT; another account cannot', async () => {
      expectEqual(
        await grpc.call('UpdateAccountWebhook', {
          account_id: acme.id,
          webhook_id: first.webhook_id,
          description: 'renamed',
        }),
        { message: 'Webhook has been updated', ...first, description: 'renamed' },
      );
      expectEqual(
        await grpc.call('UpdateAccountWebhook', {
          account_id: acme.id,
          webhook_id: first.webhook_id,
          event_types: ['clicked'],
        }),
        { message: 'Webhook has been updated', ...first, description: 'renamed', event_types: ['clicked'] },
      );
      expectEqual(
        await grpc.failure('UpdateAccountWebhook', { account_id: acme.id, webhook_id: first.webhook_id }),
        {
          code: status.INVALID_ARGUMENT,
          details: 'url, event_types or description is required',
        },
      );
      expectEqual(
        await grpc.failure('UpdateAccountWebhook', {
          account_id: other.id,
          webhook_id: first.webhook_id,
          description: 'x',
        }),
        { code: status.NOT_FOUND, details: 'Webhook not found' },
      );
      expectEqual(
        await grpc.failure('GetAccountWebhook', { account_id: other.id, webhook_id: first.webhook_id }),
        {
          code: status.NOT_FOUND,
          details: 'Webhook not found',
        },
      );
    });

    it('deletes one, then all; REST sees none left', async () => {
      expectEqual(
        await grpc.call('DeleteAccountWebhook', { account_id: acme.id, webhook_id: first.webhook_id }),
        {
          message: 'Webhook has been deleted',
        },
      );
      expectEqual(
        await grpc.failure('DeleteAccountWebhook', { account_id: acme.id, webhook_id: first.webhook_id }),
        {
          code: status.NOT_FOUND,
          details: 'Webhook not found',
        },
      );
      expectEqual(await grpc.failure('DeleteAccountWebhooks', { account_id: acme.id }), {
        code: status.INVALID_ARGUMENT,
        details: 'webhook_ids or all=true is required',
      });
      expectEqual(await grpc.call('DeleteAccountWebhooks', { account_id: acme.id, all: true }), {
        message: 'Webhooks have been deleted',
        deleted: 1,
      });
      expectEqual(await (await rest(acme.api_key, '/v1/webhooks')).json(), { webhooks: [] });
    });
  });

  describe('settings', () => {
    it('describes a domain and turns its PII redaction on, visible over REST', async () => {
      const { domain } = await grpc.call<{ domain: { created_at: string } }>('GetDomain', {
        account_id: acme.id,
        domain: 'mail.acme.test',
      });
      assert.ok(Math.abs(Date.parse(domain.created_at) - Date.now()) < 120_000, domain.created_at);
      const expected = { name: 'mail.acme.test', state: 'active', created_at: domain.created_at };
      expectEqual(domain, { ...expected, webhooks_redact_pii: false });
      expectEqual(
        await grpc.call('SetDomainPii', { account_id: acme.id, domain: 'mail.acme.test', enabled: true }),
        { message: 'Domain has been updated', domain: { ...expected, webhooks_redact_pii: true } },
      );
      expectEqual(await (await rest(acme.api_key, '/v4/domains/mail.acme.test')).json(), {
        domain: { ...expected, webhooks_redact_pii: true },
      });
      expectEqual(await grpc.failure('GetDomain', { account_id: other.id, domain: 'mail.acme.test' }), {
        code: status.NOT_FOUND,
        details: 'Domain not found',
      });
    });

    it('sets account PII on a primary; its subaccount inherits it and may not set it', async () => {
      const sub = await grpc.call<Account>('CreateAccount', { name: 'Acme US', parent_account_id: acme.id });
      const off = { enabled: false };
      const parent_signature = { enabled: true, inherited: false };
      const inheritedParentSignature = { enabled: true, inherited: true };
      expectEqual(await grpc.call('GetAccountFeatures', { account_id: acme.id }), {
        features: {
          webhooks_redact_pii: { enabled: false, inherited: false },
          standard_webhooks: off,
          parent_signature,
        },
      });
      expectEqual(await grpc.call('SetAccountPii', { account_id: acme.id, enabled: true }), {
        message: 'Account features have been updated',
        features: {
          webhooks_redact_pii: { enabled: true, inherited: false },
          standard_webhooks: off,
          parent_signature,
        },
      });
      expectEqual(await grpc.call('GetAccountFeatures', { account_id: sub.id }), {
        features: {
          webhooks_redact_pii: { enabled: true, inherited: true },
          standard_webhooks: off,
          parent_signature: inheritedParentSignature,
        },
      });
      // Standard Webhooks is each account's own choice, a subaccount's included.
      expectEqual(await grpc.call('SetStandardWebhooks', { account_id: sub.id, enabled: true }), {
        message: 'Account features have been updated',
        features: {
          webhooks_redact_pii: { enabled: true, inherited: true },
          standard_webhooks: { enabled: true },
          parent_signature: inheritedParentSignature,
        },
      });
      expectEqual(await grpc.failure('SetAccountPii', { account_id: sub.id, enabled: false }), {
        code: status.PERMISSION_DENIED,
        details: 'webhooks_redact_pii is set on the primary account; subaccounts inherit it',
      });
      // parent-signature: a primary's setting too (off: its subaccounts' URLs get no primary-signed triple).
      expectEqual(await grpc.failure('SetParentSignature', { account_id: sub.id, enabled: false }), {
        code: status.PERMISSION_DENIED,
        details: 'parent_signature is set on the primary account; subaccounts inherit it',
      });
      expectEqual(await grpc.call('SetParentSignature', { account_id: acme.id, enabled: false }), {
        message: 'Account features have been updated',
        features: {
          webhooks_redact_pii: { enabled: true, inherited: false },
          standard_webhooks: off,
          parent_signature: { enabled: false, inherited: false },
        },
      });
      await grpc.call('SetParentSignature', { account_id: acme.id, enabled: true });
    });

    it('reads and rotates the signing key; REST answers the new one', async () => {
      expectEqual(await grpc.call('GetSigningKey', { account_id: acme.id }), {
        http_signing_key: acme.signing_key,
        standard_webhooks_secret: `whsec_${Buffer.from(acme.signing_key).toString('base64')}`,
      });
      const rotated = await grpc.call<{ message: string; http_signing_key: string }>('RotateSigningKey', {
        account_id: acme.id,
      });
      assert.equal(rotated.message, 'New HTTP signing key generated');
      assert.match(rotated.http_signing_key, /^[0-9a-f]{32}$/);
      assert.notEqual(rotated.http_signing_key, acme.signing_key);
      const secret = `whsec_${Buffer.from(rotated.http_signing_key).toString('base64')}`;
      expectEqual(await grpc.call('GetSigningKey', { account_id: acme.id }), {
        http_signing_key: rotated.http_signing_key,
        standard_webhooks_secret: secret,
      });
      expectEqual(await (await rest(acme.api_key, '/v5/accounts/http_signing_key')).json(), {
        http_signing_key: rotated.http_signing_key,
        standard_webhooks_secret: secret,
      });
      expectEqual(await grpc.failure('RotateSigningKey', { account_id: 'f'.repeat(24) }), {
        code: status.NOT_FOUND,
        details: 'Account not found',
      });
    });
  });

  describe('server reflection', () => {
    it('lists hookpost.config.v1.ConfigService among the services', async () => {
      const answer = await reflectionRequest(system.grpc, { list_services: '' });
      const services = (answer.list_services_response as { service: Array<{ name: string }> }).service.map(
        (s) => s.name,
      );
      assert.ok(services.includes('hookpost.config.v1.ConfigService'), services.join(', '));
    });

    it('describes the service: the file that defines it holds its RPCs', async () => {
      const answer = await reflectionRequest(system.grpc, {
        file_containing_symbol: 'hookpost.config.v1.ConfigService',
      });
      const files = (answer.file_descriptor_response as { file_descriptor_proto: Buffer[] })
        .file_descriptor_proto;
      const text = Buffer.concat(files).toString('latin1');
      for (const rpc of ['CreateAccount', 'CreateDomainWebhook', 'RotateSigningKey']) {
        assert.ok(text.includes(rpc), `the descriptor names ${rpc}`);
      }
    });
  });

  describe('shutdown', () => {
    it('SIGTERM stops the config service with exit code 0 and releases the gRPC port', async () => {
      grpc.close();
      assert.equal(await system.service('config').stop(), 0);
      await new Promise<void>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(system.grpcPort, '127.0.0.1', () => server.close(() => resolve()));
      });
    });
  });
});
