import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { Client } from 'pg';
import { TOPICS } from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient } from '../support/api-client';
import { ConfigGrpcClient } from '../support/grpc';
import { waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { seedEvent } from '../support/seeds';
import { TestSystem } from '../support/system';

type Account = { id: string; api_key: string };
interface Item {
  url: string;
  event_id: string;
  domain: string;
}

const P = 'p.example.com';
const S = 's.example.com';

/**
 * Whose failures a failure-log row is: the account whose webhook the POST went to. A primary's
 * account-level webhook also fires for its subaccount's domain; its failures (the primary's URL, the
 * endpoint's response text) are the primary's, never listed to or resent by the subaccount's own key.
 */
describe('failure log scope: the webhook owner', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let grpc: ConfigGrpcClient;
  let db: Client;
  let primary: Account;
  let sub: Account;
  let api: ApiClient;
  let subApi: ApiClient;
  const behalf = () => ({ 'X-Mailgun-On-Behalf-Of': sub.id });

  const mailEvent = (id: string, domain: string) => {
    const event = structuredClone(seedEvent('permanent_fail')) as Record<string, unknown>;
    event.id = id;
    event.domain = { name: domain };
    (event.message as { headers: Record<string, string> }).headers['message-id'] = `${id}@mail.example`;
    return JSON.stringify(event);
  };
  const urls = async (client: ApiClient, path: string, headers: Record<string, string> = {}) => {
    const res = await client.call('GET', path, { headers });
    assert.equal(res.status, 200, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body.items as Item[]).map((i) => `${i.event_id} ${i.url}`).sort();
  };
  const row = (eventId: string, path: string) => `${eventId} ${receiver.url(path)}`;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    receiver.respond = (req) => (req.path.endsWith('/reject') ? 406 : 200);
    receiver.replyBody = (req) => (req.path === '/p/account/reject' ? 'primary-secret-reply' : 'nope');
    system = await TestSystem.start({ env: { RETRY_SCHEDULE: '1s' } });
    grpc = new ConfigGrpcClient(system.grpc, system.env.ADMIN_TOKEN);
    db = new Client({ connectionString: system.env.DATABASE_URL });
    await db.connect();
    primary = (await system.admin('/internal/v1/accounts', { name: 'Primary' })) as unknown as Account;
    sub = (await system.admin('/internal/v1/accounts', {
      name: 'Sub',
      parent_account_id: primary.id,
    })) as unknown as Account;
    api = new ApiClient(system.api, primary.api_key);
    subApi = api.as(sub.api_key);
    await system.addDomain(primary, P, [['permanent_fail', receiver.url('/p/domain/reject')]]);
    await system.addDomain(sub, S, [['permanent_fail', receiver.url('/s/domain/reject')]]);
    const hook = await api.call('POST', '/v1/webhooks', {
      form: { url: receiver.url('/p/account/reject'), event_types: 'permanent_fail' },
    });
    assert.equal(hook.status, 200, JSON.stringify(hook.body));
    await system.configPropagated();

    await system.produce(TOPICS.mailEvents, mailEvent('evt-s1', S));
    await system.produce(TOPICS.mailEvents, mailEvent('evt-p1', P));
    // evt-s1: the subaccount's domain webhook and the primary's account-level one; evt-p1: the
    // primary's domain webhook and its account-level one. All 406: final at once.
    await waitFor(
      async () => Number((await db.query('SELECT count(*) AS n FROM webhook_failures')).rows[0].n) === 4,
      60_000,
      'the four rejected deliveries in the failure log',
      200,
    );
  });

  afterAll(async () => {
    await db?.end();
    grpc?.close();
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('records whose webhook each row is', async () => {
    const { rows } = await db.query<{ url: string; domain: string; account_id: string; owner: string }>(
      'SELECT url, domain, account_id, webhook_account_id AS owner FROM webhook_failures ORDER BY url, domain',
    );
    expectEqual(
      rows.map((r) => [new URL(r.url).pathname, r.domain, r.account_id, r.owner]),
      [
        ['/p/account/reject', P, primary.id, primary.id],
        ['/p/account/reject', S, sub.id, primary.id],
        ['/p/domain/reject', P, primary.id, primary.id],
        ['/s/domain/reject', S, sub.id, sub.id],
      ],
    );
  });

  it("the subaccount's key lists only its own webhooks' failures, on its domain and account-wide", async () => {
    expectEqual(await urls(subApi, `/v3/domains/${S}/webhook-failures`), [row('evt-s1', '/s/domain/reject')]);
    expectEqual(await urls(subApi, '/v1/webhook-failures'), [row('evt-s1', '/s/domain/reject')]);
    const page = await subApi.call('GET', '/v1/webhook-failures');
    assert.ok(!JSON.stringify(page.body).includes('primary-secret-reply'), "no primary's response text");
  });

  it("the subaccount's key cannot resend the primary's webhook failure, and resends only its own", async () => {
    const theirs = await subApi.call('POST', `/v3/domains/${S}/webhook-failures/evt-s1/resend`, {
      form: { url: receiver.url('/p/account/reject') },
    });
    expectEqual(
      [theirs.status, theirs.body],
      [404, { message: 'No webhook failure of this event for this URL' }],
    );
    const all = await subApi.call('POST', `/v3/domains/${S}/webhook-failures/evt-s1/resend`);
    expectEqual(
      [all.status, all.body],
      [200, { message: 'The delivery has been queued for resending', deliveries: 1 }],
    );
    const posts = (path: string) =>
      receiver.requests.filter((r) => r.path === path && r.body.includes('"evt-s1"')).length;
    await waitFor(() => posts('/s/domain/reject') === 2, 30_000, "the resend of the subaccount's delivery");
    await waitFor(
      async () =>
        Number(
          (await db.query(`SELECT count(*) AS n FROM webhook_failures WHERE event_id = 'evt-s1'`)).rows[0].n,
        ) === 3,
      30_000,
      'its attempt in the failure log',
    );
    assert.equal(posts('/p/account/reject'), 1, "the primary's webhook was not resent");
  });

  it("the primary sees its own webhooks' failures on its subaccount's domain: account-wide and on behalf of it", async () => {
    const everything = [
      row('evt-p1', '/p/account/reject'),
      row('evt-p1', '/p/domain/reject'),
      row('evt-s1', '/p/account/reject'),
      row('evt-s1', '/s/domain/reject'),
    ].sort();
    const onS = [row('evt-s1', '/p/account/reject'), row('evt-s1', '/s/domain/reject')].sort();
    // The resend above adds the subaccount's attempt 2 (another 406) to its delivery.
    const distinct = (rows: string[]) => [...new Set(rows)].sort();
    expectEqual(distinct(await urls(api, '/v1/webhook-failures')), everything);
    expectEqual(distinct(await urls(api, `/v3/domains/${S}/webhook-failures`, behalf())), onS);
    expectEqual(distinct(await urls(api, '/v1/webhook-failures', behalf())), onS);
    const resent = await api.call('POST', `/v3/domains/${S}/webhook-failures/evt-s1/resend`, {
      form: { url: receiver.url('/p/account/reject') },
      headers: behalf(),
    });
    expectEqual(
      [resent.status, resent.body],
      [200, { message: 'The delivery has been queued for resending', deliveries: 1 }],
    );
  });

  it('gRPC scopes the same way', async () => {
    const subs = await grpc.call<{ items: Item[] }>('ListAccountWebhookFailures', { account_id: sub.id });
    expectEqual([...new Set(subs.items.map((i) => new URL(i.url).pathname))], ['/s/domain/reject']);
    const theirs = await grpc.failure('ResendWebhookFailure', {
      account_id: sub.id,
      domain: S,
      event_id: 'evt-s1',
      url: receiver.url('/p/account/reject'),
    });
    assert.equal(theirs.details, 'No webhook failure of this event for this URL');
  });
});
