import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { attemptId, deliveryId, HEADERS, SCHEMAS, TOPICS, type DeliveryAttempt } from '@hookpost/contracts';
import { ApiClient, type ApiAnswer } from '../support/api-client';
import { PROJECTION_LOCK } from '../../apps/failure-log/src/store';
import { ConfigGrpcClient } from '../support/grpc';
import { ROOT, waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { seedEvent } from '../support/seeds';
import { TestSystem } from '../support/system';

type Account = { id: string; api_key: string };
interface Item {
  timestamp: number;
  url: string;
  reason: string;
  http_status: number | null;
  event: string;
  event_id: string;
  message_id: string;
  domain: string;
  attempt: number;
  final: boolean;
}
interface Paging {
  first: string;
  last: string;
  next: string;
  previous: string;
}
interface Page {
  items: Item[];
  paging: Paging;
}

const A = 'a.example.com';
const S = 's.example.com';
const O = 'o.example.com';
/** Rows the scenario leaves: evt-a1 (4 to /a/fail, 1 to /a/reject), evt-a2 (4), evt-a3 (1); s 1; o 1. */
const ROWS = { [A]: 10, [S]: 1, [O]: 1 };

describe('failure log: projection of webhook.delivery-attempts, API, rebuild, resend', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let grpc: ConfigGrpcClient;
  let db: Client;
  let acme: Account;
  let acmeSub: Account;
  let other: Account;
  let api: ApiClient;
  let attempts: DeliveryAttempt[] = [];
  let stopReader: () => Promise<void>;
  const flakyCalls = new Map<string, number>();

  const url = (path: string) => receiver.url(path);
  const eventIdOf = (body: string) => (JSON.parse(body) as { 'event-data': { id: string } })['event-data'].id;

  const mailEvent = (seed: string, id: string, domain: string) => {
    const event = structuredClone(seedEvent(seed)) as Record<string, unknown>;
    event.id = id;
    event.domain = { name: domain };
    (event.message as { headers: Record<string, string> }).headers['message-id'] = `${id}@mail.example`;
    return JSON.stringify(event);
  };

  const list = async (client: ApiClient, path: string, headers: Record<string, string> = {}) => {
    const res = await client.call('GET', path, { headers });
    assert.equal(res.status, 200, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as unknown as Page;
  };
  /** Follows a paging link (a full URL of this API). */
  const follow = (link: string, client = api) => {
    assert.ok(link.startsWith(`${system.api}/`), `${link} is a full URL of the API`);
    return list(client, link.slice(system.api.length));
  };
  const all = (client: ApiClient, path: string, headers: Record<string, string> = {}) =>
    list(client, `${path}${path.includes('?') ? '&' : '?'}limit=300`, headers);
  const key = (i: Pick<Item, 'event_id' | 'url' | 'attempt'>) => `${i.event_id} ${i.url} #${i.attempt}`;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    receiver.respond = (req) => {
      if (req.path.endsWith('/fail')) return 500;
      if (req.path.endsWith('/reject')) return 406;
      if (req.path === '/a/flaky') {
        const id = eventIdOf(req.body);
        const n = (flakyCalls.get(id) ?? 0) + 1;
        flakyCalls.set(id, n);
        return n === 1 ? 503 : 200;
      }
      return 200;
    };
    receiver.replyBody = (req) =>
      req.path.endsWith('/fail') ? 'boom' : req.path.endsWith('/reject') ? 'nope' : 'ok';
    system = await TestSystem.start({ env: { RETRY_SCHEDULE: '1s,1s' } });
    grpc = new ConfigGrpcClient(system.grpc, system.env.ADMIN_TOKEN);
    db = new Client({ connectionString: system.env.DATABASE_URL });
    await db.connect();

    const reader = await system.reader(
      TOPICS.deliveryAttempts,
      (value) => JSON.parse(value.toString('utf8')) as DeliveryAttempt,
    );
    attempts = reader.items;
    stopReader = reader.stop;

    acme = (await system.admin('/internal/v1/accounts', { name: 'Acme' })) as unknown as Account;
    acmeSub = (await system.admin('/internal/v1/accounts', {
      name: 'Acme EU',
      parent_account_id: acme.id,
    })) as unknown as Account;
    other = (await system.admin('/internal/v1/accounts', { name: 'Other' })) as unknown as Account;
    await system.admin('/internal/v1/domains', { name: A, account_id: acme.id });
    await system.admin('/internal/v1/domains', { name: S, account_id: acmeSub.id });
    await system.admin('/internal/v1/domains', { name: O, account_id: other.id });
    api = new ApiClient(system.api, acme.api_key);
    const hook = async (client: ApiClient, domain: string, id: string, urls: string[]) => {
      const res = await client.call('POST', `/v3/domains/${domain}/webhooks`, { form: { id, url: urls } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };
    await hook(api, A, 'permanent_fail', [url('/a/fail'), url('/a/reject')]);
    await hook(api, A, 'opened', [url('/a/fail')]);
    await hook(api, A, 'temporary_fail', [url('/a/flaky')]);
    await hook(api.as(acmeSub.api_key), S, 'permanent_fail', [url('/s/reject')]);
    await hook(api.as(other.api_key), O, 'permanent_fail', [url('/o/reject')]);
    await system.configPropagated();

    await system.produce(TOPICS.mailEvents, mailEvent('permanent_fail', 'evt-a1', A));
    await system.produce(TOPICS.mailEvents, mailEvent('opened', 'evt-a2', A));
    await system.produce(TOPICS.mailEvents, mailEvent('temporary_fail', 'evt-a3', A));
    await system.produce(TOPICS.mailEvents, mailEvent('permanent_fail', 'evt-s1', S));
    await system.produce(TOPICS.mailEvents, mailEvent('permanent_fail', 'evt-o1', O));

    // Until every delivery has settled: the 500s given up on (dropped), the 406s rejected, the flaky one
    // delivered at its second attempt.
    await waitFor(
      async () => {
        const counts = await db.query<{ domain: string; n: string }>(
          'SELECT domain, count(*) AS n FROM webhook_failures GROUP BY domain',
        );
        const got = Object.fromEntries(counts.rows.map((r) => [r.domain, Number(r.n)]));
        const flakyDelivered = attempts.some((a) => a.event_id === 'evt-a3' && a.outcome === 'delivered');
        return flakyDelivered && got[A] === ROWS[A] && got[S] === ROWS[S] && got[O] === ROWS[O];
      },
      90_000,
      'every failure in the log',
      200,
    );
  });

  afterAll(async () => {
    await stopReader?.();
    await db?.end();
    grpc?.close();
    await receiver?.stop();
    if (system) await system.stop();
  });

  describe('projection', () => {
    it('records failed, rejected and dropped attempts with their fields; final only for rejected and dropped', async () => {
      const { items } = await all(api, `/v3/domains/${A}/webhook-failures`);
      const of = (eventId: string, path: string) =>
        items
          .filter((i) => i.event_id === eventId && i.url === url(path))
          .map(({ timestamp, ...rest }) => {
            assert.ok(Math.abs(timestamp - Date.now() / 1000) < 300, 'timestamp in epoch seconds, recent');
            return rest;
          });
      const failed = (attempt: number) => ({
        url: url('/a/fail'),
        reason: 'HTTP 500: boom',
        http_status: 500,
        event: 'permanent_fail',
        event_id: 'evt-a1',
        message_id: 'evt-a1@mail.example',
        domain: A,
        attempt,
        final: false,
      });
      expectEqual(of('evt-a1', '/a/fail'), [
        {
          ...failed(4),
          reason: 'given up after 3 attempt(s); last: HTTP 500: boom',
          http_status: null,
          final: true,
        },
        failed(3),
        failed(2),
        failed(1),
      ]);
      expectEqual(of('evt-a1', '/a/reject'), [
        { ...failed(1), url: url('/a/reject'), reason: 'HTTP 406: nope', http_status: 406, final: true },
      ]);
      expectEqual(of('evt-a3', '/a/flaky'), [
        {
          ...failed(1),
          url: url('/a/flaky'),
          reason: 'HTTP 503: ok',
          http_status: 503,
          event: 'temporary_fail',
          event_id: 'evt-a3',
          message_id: 'evt-a3@mail.example',
        },
      ]);
      assert.equal(of('evt-a2', '/a/fail').length, 4);
    });

    it('stores outcome, error class, trigger, ids, accounts, and the job on final rows', async () => {
      const delivery = deliveryId('evt-a1', url('/a/fail'));
      const { rows } = await db.query(
        `SELECT attempt_id, outcome, error_class, trigger, account_id, primary_account_id, delivery_id,
                job->>'url' AS job_url, job->'event_data'->>'id' AS job_event, (job->>'attempt')::int AS job_attempt
           FROM webhook_failures WHERE delivery_id = $1 ORDER BY attempt`,
        [delivery],
      );
      const row = (
        attempt: number,
        outcome: string,
        errorClass: string,
        trigger: string,
        jobAttempt: number | null = null,
      ) => ({
        attempt_id: attemptId(delivery, attempt),
        outcome,
        error_class: errorClass,
        trigger,
        account_id: acme.id,
        primary_account_id: acme.id,
        delivery_id: delivery,
        job_url: jobAttempt === null ? null : url('/a/fail'),
        job_event: jobAttempt === null ? null : 'evt-a1',
        job_attempt: jobAttempt,
      });
      expectEqual(rows, [
        row(1, 'failed', 'http_status', 'initial'),
        row(2, 'failed', 'http_status', 'retry'),
        row(3, 'failed', 'http_status', 'retry'),
        row(4, 'dropped', 'schedule_exhausted', 'retry', 3),
      ]);
      const sub = await db.query(
        `SELECT account_id, primary_account_id FROM webhook_failures WHERE domain = $1`,
        [S],
      );
      expectEqual(sub.rows, [{ account_id: acmeSub.id, primary_account_id: acme.id }]);
    });

    it('holds no row for delivered attempts', async () => {
      const delivered = attempts.filter((a) => a.outcome === 'delivered').map((a) => a.attempt_id);
      assert.ok(delivered.length >= 1);
      const { rows } = await db.query('SELECT 1 FROM webhook_failures WHERE attempt_id = ANY($1)', [
        delivered,
      ]);
      assert.equal(rows.length, 0);
    });

    it('runs in the failure-log service, whose /readyz reports it; the API stays ready and answers while it is down', async () => {
      const checks = (body: Record<string, unknown>) => Object.keys(body.info as object).sort();
      const projection = await system.service('failure-log').readiness();
      expectEqual([projection.ok, checks(projection.body)], [true, ['database', 'failure_log']]);
      assert.equal(await system.service('failure-log').stop(), 0);
      const ready = await system.service('config').readiness();
      expectEqual([ready.ok, checks(ready.body)], [true, ['database']]);
      assert.ok((await list(api, `/v3/domains/${A}/webhook-failures`)).items.length > 0);
      await (await system.startService('failure-log')).waitReady();
    });
  });

  describe('lists', () => {
    it('lists newest first, ties broken by attempt id', async () => {
      const { items } = await all(api, `/v3/domains/${A}/webhook-failures`);
      const { rows } = await db.query<{ event_id: string; url: string; attempt: number }>(
        `SELECT event_id, url, attempt FROM webhook_failures WHERE domain = $1
          ORDER BY attempted_at DESC, attempt_id DESC`,
        [A],
      );
      assert.equal(items.length, ROWS[A]);
      expectEqual(items.map(key), rows.map(key));
      for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].timestamp >= items[i].timestamp);
    });

    it('filters by event type (one, OR-ed, "failed"), by URL and by time range; limit caps the page', async () => {
      const path = `/v3/domains/${A}/webhook-failures`;
      const { items } = await all(api, path);
      const keys = (page: Page) => page.items.map(key);
      const expect = (keep: (i: Item) => boolean) => items.filter(keep).map(key);
      expectEqual(
        keys(await list(api, `${path}?event=opened`)),
        expect((i) => i.event === 'opened'),
      );
      assert.equal((await list(api, `${path}?event=opened`)).items.length, 4);
      expectEqual(
        keys(await list(api, `${path}?event=failed`)),
        expect((i) => i.event === 'permanent_fail' || i.event === 'temporary_fail'),
      );
      expectEqual(
        keys(await list(api, `${path}?event=${encodeURIComponent('opened OR temporary_fail')}`)),
        expect((i) => i.event === 'opened' || i.event === 'temporary_fail'),
      );
      expectEqual(
        keys(await list(api, `${path}?url=${encodeURIComponent(url('/a/reject'))}`)),
        expect((i) => i.url === url('/a/reject')),
      );
      const middle = [...items].sort((a, b) => a.timestamp - b.timestamp)[4].timestamp;
      expectEqual(
        keys(await list(api, `${path}?begin=${middle}`)),
        expect((i) => i.timestamp >= middle),
      );
      expectEqual(
        keys(await list(api, `${path}?end=${middle}`)),
        expect((i) => i.timestamp <= middle),
      );
      const second = Math.floor(middle);
      const rfc2822 = new Date(second * 1000).toUTCString();
      expectEqual(
        keys(await list(api, `${path}?begin=${encodeURIComponent(rfc2822)}&end=${second + 1}`)),
        expect((i) => i.timestamp >= second && i.timestamp <= second + 1),
      );
      expectEqual(keys(await list(api, `${path}?limit=3`)), items.slice(0, 3).map(key));
      expectEqual(keys(await list(api, path)), items.map(key)); // the default limit (100) holds them all
    });

    it('pages with full next / previous / last URLs on (timestamp, attempt id), filters kept', async () => {
      const path = `/v3/domains/${A}/webhook-failures`;
      const { items } = await all(api, path);
      const first = await list(api, `${path}?limit=3`);
      const base = `${system.api}${path}`;
      assert.equal(first.paging.first, `${base}?limit=3`);
      const pages = [first];
      for (let page = first; page.items.length > 0;) {
        page = await follow(page.paging.next);
        pages.push(page);
        assert.ok(pages.length < 10, 'paging ends');
      }
      expectEqual(
        pages.map((p) => p.items.length),
        [3, 3, 3, 1, 0],
      );
      expectEqual(pages.flatMap((p) => p.items).map(key), items.map(key));
      // previous of page 2 is page 1, of page 3 is page 2
      expectEqual((await follow(pages[1].paging.previous)).items.map(key), first.items.map(key));
      expectEqual((await follow(pages[2].paging.previous)).items.map(key), pages[1].items.map(key));
      // from the end, back again: the rows before the end
      expectEqual((await follow(pages[4].paging.previous)).items.map(key), items.slice(-3).map(key));
      expectEqual((await follow(first.paging.last)).items.map(key), items.slice(-3).map(key));
      expectEqual((await follow(first.paging.previous)).items, []);

      const filtered = await list(api, `${path}?event=failed&limit=2`);
      const next = new URL(filtered.paging.next);
      expectEqual([next.searchParams.get('event'), next.searchParams.get('limit')], ['failed', '2']);
      const page2 = await follow(filtered.paging.next);
      expectEqual(
        page2.items.map(key),
        items
          .filter((i) => i.event !== 'opened')
          .slice(2, 4)
          .map(key),
      );
    });

    it("answers Mailgun's 400 for bad filters", async () => {
      const path = `/v3/domains/${A}/webhook-failures`;
      const cases: Array<[string, RegExp]> = [
        ['limit=0', /^limit: must be an integer from 1 to 300$/],
        ['limit=301', /^limit: /],
        ['limit=ten', /^limit: /],
        ['begin=yesterday', /^begin: "yesterday" is neither epoch seconds nor an RFC 2822 date/],
        ['end=2025-11-14', /^end: /],
        ['event=bounced', /^event: unknown event type "bounced"/],
        [`url=${encodeURIComponent('ftp://x.example/')}`, /^url: URL must use http or https/],
        ['page=not-a-page', /^page: not a page of this list$/],
        ['limit=1&limit=2', /^limit must be given once$/],
      ];
      for (const [query, expected] of cases) {
        for (const target of [`${path}?${query}`, `/v1/webhook-failures?${query}`]) {
          const res = await api.call('GET', target);
          assert.equal(res.status, 400, `${target}: ${JSON.stringify(res.body)}`);
          expectEqual(Object.keys(res.body), ['message'], target);
          assert.match(String(res.body.message), expected, target);
        }
      }
    });

    it('needs an API key (401) and a domain of the caller (404)', async () => {
      const unauthenticated = await api.call('GET', `/v3/domains/${A}/webhook-failures`, { key: null });
      assert.equal(unauthenticated.status, 401);
      const wrong = await api.call('GET', '/v1/webhook-failures', { key: 'key-nope' });
      assert.equal(wrong.status, 401);
      const missing = await api.call('GET', '/v3/domains/nowhere.example.com/webhook-failures');
      expectEqual([missing.status, missing.body], [404, { message: 'Domain not found' }]);
    });
  });

  describe('isolation', () => {
    const domains = (page: Page) => [...new Set(page.items.map((i) => i.domain))].sort();

    it("an account sees nothing of another's failures", async () => {
      const theirs = api.as(other.api_key);
      const res = await theirs.call('GET', `/v3/domains/${A}/webhook-failures`);
      expectEqual([res.status, res.body], [404, { message: 'Domain not found' }]);
      const page = await all(theirs, '/v1/webhook-failures');
      expectEqual(domains(page), [O]);
      assert.equal(page.items.length, ROWS[O]);
      expectEqual(domains(await all(api, '/v1/webhook-failures')), [A, S]);
    });

    it("a primary sees its subaccounts' failures account-wide; a subaccount only its own", async () => {
      const mine = await all(api, '/v1/webhook-failures');
      assert.equal(mine.items.length, ROWS[A] + ROWS[S]);
      const subs = api.as(acmeSub.api_key);
      const own = await all(subs, '/v1/webhook-failures');
      expectEqual(domains(own), [S]);
      assert.equal(own.items.length, ROWS[S]);
      const primaryDomain = await subs.call('GET', `/v3/domains/${A}/webhook-failures`);
      assert.equal(primaryDomain.status, 404);
    });

    it('X-Mailgun-On-Behalf-Of acts for a subaccount, and only for its own primary', async () => {
      const behalf = { 'X-Mailgun-On-Behalf-Of': acmeSub.id };
      expectEqual(domains(await all(api, '/v1/webhook-failures', behalf)), [S]);
      assert.equal((await all(api, `/v3/domains/${S}/webhook-failures`, behalf)).items.length, ROWS[S]);
      assert.equal((await api.call('GET', `/v3/domains/${S}/webhook-failures`)).status, 404);
      const foreign = await api.as(other.api_key).call('GET', '/v1/webhook-failures', { headers: behalf });
      assert.equal(foreign.status, 403);
    });
  });

  describe('gRPC', () => {
    /**
     * gRPC leaves http_status out where REST says null (proto3 `optional`; the loader's `oneofs` adds
     * `_http_status` naming the field when it is set).
     */
    const restShape = (items: Array<Record<string, unknown>>) =>
      items.map(({ _http_status, ...i }) => {
        assert.equal(_http_status, i.http_status === undefined ? undefined : 'http_status');
        return { ...i, http_status: i.http_status ?? null };
      });

    it('ListDomainWebhookFailures answers the REST items, with page tokens', async () => {
      const rest = await all(api, `/v3/domains/${A}/webhook-failures`);
      type GrpcPage = { items: Item[]; paging: Paging };
      const whole = await grpc.call<GrpcPage>('ListDomainWebhookFailures', {
        account_id: acme.id,
        domain: A,
      });
      expectEqual(restShape(whole.items as unknown as Array<Record<string, unknown>>), rest.items);
      assert.equal(whole.paging.first, '');
      const first = await grpc.call<GrpcPage>('ListDomainWebhookFailures', {
        account_id: acme.id,
        domain: A,
        limit: 4,
      });
      const second = await grpc.call<GrpcPage>('ListDomainWebhookFailures', {
        account_id: acme.id,
        domain: A,
        limit: 4,
        page: first.paging.next,
      });
      expectEqual(second.items.map(key), rest.items.slice(4, 8).map(key));
      const back = await grpc.call<GrpcPage>('ListDomainWebhookFailures', {
        account_id: acme.id,
        domain: A,
        limit: 4,
        page: second.paging.previous,
      });
      expectEqual(back.items.map(key), rest.items.slice(0, 4).map(key));
    });

    it('ListAccountWebhookFailures scopes by account; errors as on REST', async () => {
      const sub = await grpc.call<{ items: Item[] }>('ListAccountWebhookFailures', {
        account_id: acmeSub.id,
      });
      expectEqual(
        sub.items.map((i) => i.domain),
        [S],
      );
      const primary = await grpc.call<{ items: Item[] }>('ListAccountWebhookFailures', {
        account_id: acme.id,
        event: 'permanent_fail',
      });
      assert.equal(primary.items.length, 5 + ROWS[S]);
      expectEqual(await grpc.failure('ListDomainWebhookFailures', { account_id: other.id, domain: A }), {
        code: status.NOT_FOUND,
        details: 'Domain not found',
      });
      const tooMany = await grpc.failure('ListAccountWebhookFailures', { account_id: acme.id, limit: 500 });
      expectEqual(tooMany, {
        code: status.INVALID_ARGUMENT,
        details: 'limit: must be an integer from 1 to 300',
      });
    });
  });

  describe('rebuild (npm run failure-log:rebuild)', () => {
    const snapshot = async (where = "domain <> 'synthetic.example.com'") =>
      (await db.query(`SELECT to_jsonb(f) AS row FROM webhook_failures f WHERE ${where} ORDER BY attempt_id`))
        .rows;

    /** Rejected attempts of unknown events, straight onto the attempts topic (the retry service ignores them). */
    const synthetic = (n: number) => {
      const job = {
        ...attempts.find((a) => a.outcome === 'rejected')!.job!,
        event_id: `syn-${n}`,
        domain: 'synthetic.example.com',
      };
      job.delivery_id = deliveryId(job.event_id, job.url);
      const attempt: DeliveryAttempt = {
        ...attempts.find((a) => a.outcome === 'rejected')!,
        event_id: job.event_id,
        domain: job.domain,
        account_id: null,
        delivery_id: job.delivery_id,
        attempt_id: attemptId(job.delivery_id, 1),
        attempted_at: Date.now(),
        job,
      };
      return {
        key: job.delivery_id,
        value: JSON.stringify(attempt),
        headers: { [HEADERS.schema]: SCHEMAS.deliveryAttempt },
      };
    };

    it('replays the topic into a new table that equals the live one, swapped in without losing concurrent writes', async () => {
      const before = await snapshot();
      assert.equal(before.length, ROWS[A] + ROWS[S] + ROWS[O]);
      const oid = async () =>
        (await db.query<{ oid: number }>(`SELECT 'webhook_failures'::regclass::oid::int AS oid`)).rows[0].oid;
      const indexes = async () =>
        (await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'webhook_failures' ORDER BY 1`))
          .rows;
      const [oidBefore, indexesBefore] = [await oid(), await indexes()];
      const attemptsBefore = attempts.length;
      expectEqual(indexesBefore.length, 5);

      const rebuild = spawn(
        process.execPath,
        [join(ROOT, 'dist', 'apps', 'failure-log', 'src', 'rebuild', 'rebuild.js')],
        {
          env: {
            PATH: process.env.PATH ?? '',
            KAFKA_BROKERS: system.env.KAFKA_BROKERS,
            DATABASE_URL: system.env.DATABASE_URL,
            KAFKA_TOPIC_PREFIX: system.env.KAFKA_TOPIC_PREFIX,
            LOG_LEVEL: 'info',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      // Frozen the moment its replay has reached the start's watermarks (before it builds indexes and
      // takes the projection lock): the live projection then writes a burst into the old table, which the
      // swap must not lose.
      let frozen = false;
      rebuild.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        if (!frozen && out.includes('replayed up to the start')) frozen = rebuild.kill('SIGSTOP');
      });
      rebuild.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => rebuild.once('exit', resolve));
      let done = false;
      void exited.then(() => (done = true));

      // The live projection keeps writing while the rebuild runs.
      const producer = system.kafka.producer();
      await producer.connect();
      let produced = 0;
      const produce = async (n: number) => {
        const messages = Array.from({ length: n }, () => synthetic(produced++));
        await producer.send({ topic: system.topic(TOPICS.deliveryAttempts), messages });
      };
      const written = async () =>
        Number(
          (
            await db.query(
              `SELECT count(*) AS n FROM webhook_failures WHERE domain = 'synthetic.example.com'`,
            )
          ).rows[0].n,
        );
      let burst = false;
      while (!done) {
        if (frozen && !burst) {
          burst = true;
          const locked = await db.query(
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND mode = 'ExclusiveLock'`,
            [PROJECTION_LOCK],
          );
          // (Rarely, it got as far as asking for the lock before the signal landed: live writes wait
          // behind that request, so no burst then.)
          if (locked.rows.length === 0) {
            await produce(200);
            await waitFor(async () => (await written()) === produced, 30_000, 'the burst in the old table');
          }
          rebuild.kill('SIGCONT');
        }
        await produce(20);
        await sleep(25);
      }
      assert.ok(frozen, `the rebuild was frozen after its replay: ${out}`);
      await producer.disconnect();
      assert.equal(await exited, 0, `rebuild failed: ${err}${out}`);
      assert.ok(produced >= 20);

      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>;
      assert.ok(result.rows >= before.length, out);
      assert.ok(result.attempts >= attemptsBefore, out);
      assert.match(err, /failure log rebuilt: \d+ rows from \d+ attempts in [\d.]+ s \(\d+ attempts\/s/);

      await waitFor(async () => (await written()) === produced, 30_000, 'every concurrently written row');
      expectEqual(await snapshot(), before);
      assert.notEqual(await oid(), oidBefore, 'a new table was swapped in');
      expectEqual(await indexes(), indexesBefore);
      const leftover = await db.query(`SELECT to_regclass('webhook_failures_rebuild') AS t`);
      assert.equal(leftover.rows[0].t, null);
    });
  });

  describe('resend', () => {
    const resend = (eventId: string, form?: Record<string, string>, client = api, domain = A) =>
      client.call('POST', `/v3/domains/${domain}/webhook-failures/${eventId}/resend`, form ? { form } : {});
    const attemptsOf = (eventId: string, path: string) =>
      attempts.filter((a) => a.event_id === eventId && a.url === url(path));
    const postsOf = (eventId: string, path: string) =>
      receiver.received(path).filter((r) => eventIdOf(r.body) === eventId);
    const until = (what: string, probe: () => boolean) => waitFor(probe, 30_000, what, 50);

    it('puts the delivery to one URL back: POSTed again as attempt = highest + 1, trigger manual', async () => {
      assert.equal(postsOf('evt-a1', '/a/reject').length, 1);
      const res = await resend('evt-a1', { url: url('/a/reject') });
      expectEqual(
        [res.status, res.body],
        [200, { message: 'The delivery has been queued for resending', deliveries: 1 }],
      );
      await until('the POST', () => postsOf('evt-a1', '/a/reject').length === 2);
      await until('its attempt', () => attemptsOf('evt-a1', '/a/reject').length === 2);
      const again = attemptsOf('evt-a1', '/a/reject')[1];
      expectEqual([again.attempt, again.trigger, again.outcome], [2, 'manual', 'rejected']);
      assert.equal(again.attempt_id, attemptId(deliveryId('evt-a1', url('/a/reject')), 2));
      const logged = await waitFor(
        async () => {
          const page = await list(
            api,
            `/v3/domains/${A}/webhook-failures?url=${encodeURIComponent(url('/a/reject'))}`,
          );
          return page.items.length === 2 ? page.items : null;
        },
        30_000,
        'the manual attempt in the log',
      );
      expectEqual(
        logged.map((i) => [i.attempt, i.final]),
        [
          [2, true],
          [1, true],
        ],
      );
    });

    it('without a URL, resends every failed URL of the event; attempt ids stay unique', async () => {
      // /a/fail was given up on at 4; /a/reject is final at 2 (the resend above).
      await until(
        'the manual attempt to be final in the log',
        () => attemptsOf('evt-a1', '/a/reject').length === 2,
      );
      await waitFor(
        async () =>
          (
            await db.query(
              `SELECT 1 FROM webhook_failures WHERE event_id = 'evt-a1' AND attempt = 2 AND final`,
            )
          ).rows.length === 1,
        30_000,
        'attempt 2 recorded',
      );
      const res = await resend('evt-a1');
      expectEqual(
        [res.status, res.body],
        [200, { message: 'The deliveries have been queued for resending', deliveries: 2 }],
      );
      await until(
        'both POSTs',
        () => postsOf('evt-a1', '/a/fail').length === 4 && postsOf('evt-a1', '/a/reject').length === 3,
      );
      await until(
        'their attempts',
        () =>
          attemptsOf('evt-a1', '/a/fail').some((a) => a.attempt === 6) &&
          attemptsOf('evt-a1', '/a/reject').length === 3,
      );
      const manual = (path: string) => attemptsOf('evt-a1', path).filter((a) => a.trigger === 'manual');
      // The manual attempt failed (500) past the schedule, so the retry service gave up on it at once.
      expectEqual(
        manual('/a/fail').map((a) => [a.attempt, a.outcome]),
        [
          [5, 'failed'],
          [6, 'dropped'],
        ],
      );
      expectEqual(
        manual('/a/reject').map((a) => [a.attempt, a.outcome]),
        [
          [2, 'rejected'],
          [3, 'rejected'],
        ],
      );
      for (const path of ['/a/fail', '/a/reject']) {
        const numbers = attemptsOf('evt-a1', path).map((a) => a.attempt);
        expectEqual(
          numbers,
          [...new Set(numbers)].sort((x, y) => x - y),
          `${path}: one record per attempt number`,
        );
      }
    });

    it('answers 409 when no delivery of the event has a final failure (delivered after its failure)', async () => {
      const res = await resend('evt-a3');
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.match(String(res.body.message), /^No delivery of this event has a final failure to resend/);
    });

    it('answers 404 for an event without failures for the caller, 400 for a bad URL', async () => {
      const cases: Array<[string, Promise<ApiAnswer>, number]> = [
        ['an unknown event', resend('no-such-event'), 404],
        ["another domain's event", resend('evt-o1'), 404],
        ['a URL the event did not fail on', resend('evt-a1', { url: url('/a/other') }), 404],
        ["another account's domain", resend('evt-o1', undefined, api.as(acmeSub.api_key), O), 404],
        ['a bad URL', resend('evt-a1', { url: 'ftp://x.example/' }), 400],
      ];
      for (const [name, call, expected] of cases) {
        const res = await call;
        assert.equal(res.status, expected, `${name}: ${JSON.stringify(res.body)}`);
        expectEqual(Object.keys(res.body), ['message'], name);
      }
    });

    it('resends over gRPC (ResendWebhookFailure) too', async () => {
      assert.equal(postsOf('evt-o1', '/o/reject').length, 1);
      const answer = await grpc.call('ResendWebhookFailure', {
        account_id: other.id,
        domain: O,
        event_id: 'evt-o1',
      });
      expectEqual(answer, { message: 'The delivery has been queued for resending', deliveries: 1 });
      await until('the POST', () => postsOf('evt-o1', '/o/reject').length === 2);
      expectEqual(
        await grpc.failure('ResendWebhookFailure', {
          account_id: acme.id,
          domain: A,
          event_id: 'no-such-event',
        }),
        { code: status.NOT_FOUND, details: 'No webhook failure of this event' },
      );
    });
  });
});
