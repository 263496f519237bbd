import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient, type ApiAnswer, type CallOptions } from '../support/api-client';
import { strayFromDocument } from '../support/openapi-answers';
import { TestSystem } from '../support/system';

interface Account {
  id: string;
  api_key: string;
}
interface DomainItem {
  name: string;
  state: string;
  created_at: string;
  webhooks_redact_pii: boolean;
  subaccount_id?: string;
}

describe('GET /v4/domains and GET /v5/accounts/subaccounts: what one key may act on', () => {
  let system: TestSystem;
  let api: ApiClient;
  let primary: Account;
  let zeta: Account;
  let alpha: Account;
  let other: Account;

  const account = async (name: string, parent?: string) =>
    (await system.admin('/internal/v1/accounts', { name, parent_account_id: parent })) as unknown as Account;
  const domain = (name: string, owner: Account) =>
    system.admin('/internal/v1/domains', { name, account_id: owner.id });

  /** The names (and subaccount ids) a list answers, with its total; asserts 200. */
  const domains = async (key: string, query = '', headers: Record<string, string> = {}) => {
    const res = await get(key, `/v4/domains${query}`, { headers });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body as { total_count: number; items: DomainItem[] };
    for (const item of body.items) {
      assert.equal(item.state, 'active');
      assert.equal(item.webhooks_redact_pii, false);
      assert.ok(!Number.isNaN(Date.parse(item.created_at)), item.created_at);
    }
    return {
      total: body.total_count,
      items: body.items.map((i) => (i.subaccount_id ? `${i.name} (${i.subaccount_id})` : i.name)),
    };
  };

  /** Every answer of these tests, checked against the OpenAPI document at the end. */
  const answers: Array<[string, ApiAnswer]> = [];
  const get = async (key: string | null, path: string, opts: CallOptions = {}) => {
    const answer = await api.as(key).call('GET', path, opts);
    answers.push([path, answer]);
    return answer;
  };

  beforeAll(async () => {
    system = await TestSystem.start({ services: ['config'] });
    api = new ApiClient(system.api);
    primary = await account('Acme');
    zeta = await account('Zeta shop', primary.id);
    alpha = await account('Alpha shop', primary.id);
    other = await account('Other');
    await domain('b.acme.example.com', primary);
    await domain('a.acme.example.com', primary);
    await domain('zeta.example.com', zeta);
    await domain('alpha.example.com', alpha);
    await domain('other.example.com', other);
  });

  afterAll(async () => {
    if (system) await system.stop();
  });

  it("given a primary's key, then its own domains by name; with include_subaccounts its subaccounts' too, named", async () => {
    expectEqual(await domains(primary.api_key), {
      total: 2,
      items: ['a.acme.example.com', 'b.acme.example.com'],
    });
    expectEqual(await domains(primary.api_key, '?include_subaccounts=true'), {
      total: 4,
      items: [
        'a.acme.example.com',
        `alpha.example.com (${alpha.id})`,
        'b.acme.example.com',
        `zeta.example.com (${zeta.id})`,
      ],
    });
  });

  it('given limit and skip, then one page of the list and the total of all of it', async () => {
    expectEqual(await domains(primary.api_key, '?include_subaccounts=true&limit=2&skip=1'), {
      total: 4,
      items: [`alpha.example.com (${alpha.id})`, 'b.acme.example.com'],
    });
    expectEqual(await domains(primary.api_key, '?skip=5'), { total: 2, items: [] });
  });

  it("given a subaccount's key, or the primary's acting for it, then the subaccount's domains alone", async () => {
    expectEqual(await domains(zeta.api_key, '?include_subaccounts=true'), {
      total: 1,
      items: ['zeta.example.com'],
    });
    expectEqual(
      await domains(primary.api_key, '?include_subaccounts=true', { 'X-Mailgun-On-Behalf-Of': zeta.id }),
      { total: 1, items: ['zeta.example.com'] },
    );
    expectEqual(await domains(other.api_key, '?include_subaccounts=true'), {
      total: 1,
      items: ['other.example.com'],
    });
  });

  it("given a primary's key, then its subaccounts by name; a subaccount's key gets 403", async () => {
    const res = await get(primary.api_key, '/v5/accounts/subaccounts');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body as { total: number; subaccounts: Array<Record<string, string>> };
    expectEqual(
      body.subaccounts.map(({ id, name, status }) => ({ id, name, status })),
      [
        { id: alpha.id, name: 'Alpha shop', status: 'open' },
        { id: zeta.id, name: 'Zeta shop', status: 'open' },
      ],
    );
    assert.equal(body.total, 2);
    assert.ok(body.subaccounts.every((s) => !Number.isNaN(Date.parse(s.created_at))));

    const page = await get(primary.api_key, '/v5/accounts/subaccounts?limit=1&skip=1');
    expectEqual(
      (page.body as typeof body).subaccounts.map((s) => s.name),
      ['Zeta shop'],
    );

    for (const [key, headers] of [
      [zeta.api_key, {}],
      [primary.api_key, { 'X-Mailgun-On-Behalf-Of': alpha.id }],
    ] as const) {
      const refused = await get(key, '/v5/accounts/subaccounts', { headers });
      expectEqual(
        [refused.status, refused.body],
        [403, { message: 'Only a primary account has subaccounts' }],
      );
    }
  });

  it('given no key, a wrong key or a bad parameter, then 401 or a 400 naming it', async () => {
    for (const path of ['/v4/domains', '/v5/accounts/subaccounts']) {
      const anonymous = await get(null, path);
      expectEqual([anonymous.status, anonymous.body], [401, { message: 'Invalid private key' }]);
      const wrong = await get('key-wrong', path);
      expectEqual([wrong.status, wrong.body], [401, { message: 'Invalid private key' }]);
    }
    const cases: Array<[string, string]> = [
      ['/v4/domains?limit=0', 'limit: must be an integer from 1 to 1000'],
      ['/v4/domains?skip=-1', 'skip: must be an integer from 0 to 10000000'],
      ['/v4/domains?include_subaccounts=perhaps', 'include_subaccounts: must be true or false'],
      ['/v5/accounts/subaccounts?limit=1001', 'limit: must be an integer from 1 to 1000'],
    ];
    for (const [path, message] of cases) {
      const res = await get(primary.api_key, path);
      expectEqual([path, res.status, res.body], [path, 400, { message }]);
    }
  });

  it('answered each request above as the OpenAPI document says (status and body)', () => {
    assert.ok(answers.length >= 15, `${answers.length} answers`);
    expectEqual(answers.map(([path, answer]) => strayFromDocument('GET', path, answer)).filter(Boolean), []);
  });
});
