import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { ConfigGrpcClient, reflectionRequest } from '../support/grpc';
import { TestSystem } from '../support/system';

type Account = { id: string; name: string; parent_account_id?: string; api_key: string; signing_key: string };

const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;

describe('config gRPC API (hookpost.config.v1.ConfigService) against the real config service', () => {
  let system: TestSystem;
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
    system = await TestSystem.start({ services: ['config'] });
    grpc = new ConfigGrpcClient(system.grpc, system.env.ADMIN_TOKEN);
  });

  afterAll(async () => {
    grpc?.close();
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
