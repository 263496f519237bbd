import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { TOPICS, type DeliveryAttempt } from '@hookpost/contracts';
import { WebhookSender } from '@hookpost/outbound';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient } from '../support/api-client';
import { freePort } from '../support/processes';
import {
  MailProducer,
  parsePost,
  readinessDetails,
  seedFor,
  TopicCollector,
  signedWith,
  type Posted,
} from '../support/pipeline';
import { Receiver, type ReceivedRequest } from '../support/receiver';
import { TestSystem } from '../support/system';

/** Ids as the design fixes them, computed here independently of libs/contracts. */
const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
const deliveryIdOf = (eventId: string, url: string) => `dlv_${sha(`${eventId}\n${url}`)}`;
const attemptIdOf = (delivery: string, attempt: number) => `atm_${sha(`${delivery}\n${attempt}`)}`;

const PRIMARY_DOMAIN = 'mail.primary.example.com';
const SUB_DOMAIN = 'mail.sub.example.com';
const DISPATCH_DOMAIN = 'mail.dispatch.example.com';
const KIB = 1024;

interface Account {
  id: string;
  api_key: string;
  signing_key: string;
}

describe('pipeline, fan-out and dispatch: which URLs an event goes to, and what one POST of it records', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let redirector: Server;
  let collector: TopicCollector;
  let producer: MailProducer;
  let primary: Account;
  let sub: Account;
  let dispatchAccount: Account;
  let closedPort: number;
  const url = (path: string) => receiver.url(path);

  const postsOf = (id: string, path?: string): Array<ReceivedRequest & { post: Posted }> =>
    receiver.requests
      .filter((r) => path === undefined || r.path === path)
      .map((r) => ({ ...r, post: parsePost(r) }))
      .filter((r) => r.post['event-data'].id === id);

  // A first attempt is made where the event is read: no job goes through Kafka for it. What the jobs
  // said (URL, level, delivery id) each attempt event says.
  const jobsOf = (id: string) => attemptsOf(id).filter((a) => a.trigger === 'initial');
  const attemptsOf = (id: string) =>
    collector.json<DeliveryAttempt>(TOPICS.deliveryAttempts, (a) => a.event_id === id);

  /** Waits for `count` attempt events of the event, then a little longer to see that no more come. */
  const settled = async (id: string, count: number) => {
    await collector.until(
      () => attemptsOf(id).length >= count && jobsOf(id).length >= count,
      `${count} jobs and attempts of ${id}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    return { jobs: jobsOf(id), attempts: attemptsOf(id), posts: postsOf(id) };
  };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    receiver.respond = (req) => {
      const status = /^\/status\/(\d{3})$/.exec(req.path);
      return status ? Number(status[1]) : 200;
    };
    receiver.replyBody = (req) => (req.path === '/status/500' ? `boom ${'x'.repeat(3 * KIB)}` : 'ok');
    redirector = createServer((_req, res) => {
      res.writeHead(302, { location: url('/redirect-target') }).end('moved');
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    closedPort = await freePort();

    system = await TestSystem.start();
    collector = await TopicCollector.start(system, [TOPICS.deliveries, TOPICS.deliveryAttempts]);
    producer = await MailProducer.start(system);
    primary = (await system.admin('/internal/v1/accounts', { name: 'Primary' })) as unknown as Account;
    sub = (await system.admin('/internal/v1/accounts', {
      name: 'Sub',
      parent_account_id: primary.id,
    })) as unknown as Account;
    dispatchAccount = (await system.admin('/internal/v1/accounts', {
      name: 'Dispatch',
    })) as unknown as Account;
    await system.admin('/internal/v1/domains', { name: PRIMARY_DOMAIN, account_id: primary.id });
    await system.admin('/internal/v1/domains', { name: SUB_DOMAIN, account_id: sub.id });
    await system.admin('/internal/v1/domains', { name: DISPATCH_DOMAIN, account_id: dispatchAccount.id });

    const asPrimary = new ApiClient(system.api, primary.api_key);
    const onBehalfOfSub = { 'X-Mailgun-On-Behalf-Of': sub.id };
    const calls: Array<
      [ApiClient, string, string, Record<string, string | string[]>, Record<string, string>]
    > = [
      // Account level: the primary's fire for its own and its subaccount's domains.
      [asPrimary, 'POST', '/v1/webhooks', { url: url('/p/account'), event_types: 'delivered' }, {}],
      [asPrimary, 'POST', '/v1/webhooks', { url: url('/p/shared'), event_types: 'delivered' }, {}],
      [asPrimary, 'POST', '/v1/webhooks', { url: url('/p/opened'), event_types: 'opened' }, {}],
      // The subaccount's: only for its own domains.
      [
        asPrimary,
        'POST',
        '/v1/webhooks',
        { url: url('/s/account'), event_types: 'delivered' },
        onBehalfOfSub,
      ],
      [asPrimary, 'POST', '/v1/webhooks', { url: url('/s/shared'), event_types: 'delivered' }, onBehalfOfSub],
      // Domain level, with URLs that are also account-level ones.
      [
        asPrimary,
        'POST',
        `/v3/domains/${PRIMARY_DOMAIN}/webhooks`,
        { id: 'delivered', url: [url('/pd/domain'), url('/p/shared')] },
        {},
      ],
      [
        asPrimary,
        'POST',
        `/v3/domains/${SUB_DOMAIN}/webhooks`,
        {
          id: 'delivered',
          // The primary's account-level URL, written differently: the same URL once normalised.
          url: [url('/sd/domain'), url('/s/shared'), url('/p/shared').replace('http://', 'HTTP://')],
        },
        onBehalfOfSub,
      ],
      [
        new ApiClient(system.api, dispatchAccount.api_key),
        'POST',
        `/v3/domains/${DISPATCH_DOMAIN}/webhooks`,
        { id: 'delivered', url: [url('/status/200'), url('/status/204'), url('/status/406')] },
        {},
      ],
      [
        new ApiClient(system.api, dispatchAccount.api_key),
        'POST',
        `/v3/domains/${DISPATCH_DOMAIN}/webhooks`,
        {
          id: 'clicked',
          url: [
            `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/redirect`,
            `http://127.0.0.1:${closedPort}/unreachable`,
            url('/status/500'),
          ],
        },
        {},
      ],
    ];
    for (const [api, method, path, form, headers] of calls) {
      const res = await api.call(method, path, { form, headers });
      assert.equal(res.status, 200, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
    await system.configPropagated();
  });

  afterAll(async () => {
    await producer?.stop();
    await collector?.stop();
    await receiver?.stop();
    await new Promise((resolve) => redirector?.close(resolve));
    if (system) await system.stop();
  });

  it("a primary's domain: its domain webhooks and its account-level ones, a URL at both levels once (as account-level), never the subaccount's", async () => {
    const event = seedFor('delivered', PRIMARY_DOMAIN);
    await producer.send(TOPICS.mailEvents, JSON.stringify(event));
    const { jobs, attempts, posts } = await settled(event.id, 3);

    const expected = [
      [url('/p/account'), 'account'],
      [url('/p/shared'), 'account'],
      [url('/pd/domain'), 'domain'],
    ];
    expectEqual(jobs.map((j) => [j.url, j.level]).sort(), expected, 'one delivery per URL');
    for (const job of jobs) {
      assert.equal(job.delivery_id, deliveryIdOf(event.id, job.url));
      assert.equal(job.attempt, 1);
      assert.equal(job.trigger, 'initial');
    }
    for (const { post } of posts) expectEqual(post['event-data'], event);
    expectEqual(posts.map((p) => p.path).sort(), ['/p/account', '/p/shared', '/pd/domain'], 'one POST each');
    assert.equal(attempts.length, 3);
    for (const { post } of posts) {
      expectEqual(Object.keys(post).sort(), ['event-data', 'signature']);
      assert.ok(signedWith(primary.signing_key, post.signature), "signed with the primary's key");
      assert.ok(!signedWith(sub.signing_key, post.signature));
    }
  });

  it("a subaccount's domain: its domain webhooks, its account's and the primary's account-level ones, each URL once, with parent-signature by the primary's key", async () => {
    const event = seedFor('delivered', SUB_DOMAIN);
    await producer.send(TOPICS.mailEvents, JSON.stringify(event));
    const { jobs, attempts, posts } = await settled(event.id, 5);

    expectEqual(
      jobs.map((j) => [j.url, j.level]).sort(),
      [
        [url('/p/account'), 'account'],
        [url('/p/shared'), 'account'],
        [url('/s/account'), 'account'],
        [url('/s/shared'), 'account'],
        [url('/sd/domain'), 'domain'],
      ],
      'one delivery per URL',
    );
    expectEqual(
      posts.map((p) => p.path).sort(),
      ['/p/account', '/p/shared', '/s/account', '/s/shared', '/sd/domain'],
      'one POST per URL',
    );
    assert.equal(attempts.length, 5);
    for (const { path, post } of posts) {
      expectEqual(Object.keys(post).sort(), ['event-data', 'parent-signature', 'signature'], path);
      assert.ok(signedWith(sub.signing_key, post.signature), `${path}: signed with the subaccount's key`);
      assert.ok(!signedWith(primary.signing_key, post.signature));
      const parent = post['parent-signature'];
      assert.ok(signedWith(primary.signing_key, parent), `${path}: parent-signature by the primary's key`);
      assert.equal(parent?.timestamp, post.signature.timestamp);
      assert.equal(parent?.token, post.signature.token);
      assert.equal(attempts.find((a) => a.url === url(path))?.account_id, sub.id);
    }
  });

  it("a subaccount's account-level webhooks never fire for the primary's domains; a type nobody subscribed to goes nowhere", async () => {
    const delivered = seedFor('delivered', PRIMARY_DOMAIN);
    const opened = seedFor('opened', SUB_DOMAIN);
    const clickedOnPrimary = seedFor('clicked', PRIMARY_DOMAIN);
    const before = await readinessDetails(system, 'fan-out', 'events');
    for (const e of [delivered, opened, clickedOnPrimary]) {
      await producer.send(TOPICS.mailEvents, JSON.stringify(e));
    }
    // The router has seen all three (so the clicked event's absence below is not just lag).
    const after = await collector.until(async () => {
      const details = await readinessDetails(system, 'fan-out', 'events');
      return Number(details.events) - Number(before.events) >= 3 && details;
    }, 'the router to take the three events');
    assert.equal(Number(after.withoutWebhook) - Number(before.withoutWebhook), 1, 'clicked went nowhere');
    await settled(delivered.id, 3);
    const openedRun = await settled(opened.id, 1);
    expectEqual(
      openedRun.jobs.map((j) => j.url),
      [url('/p/opened')],
      "opened on the subaccount's domain: the primary's opened webhook only",
    );
    assert.equal(postsOf(delivered.id, '/s/account').length + postsOf(delivered.id, '/s/shared').length, 0);
    assert.equal(jobsOf(clickedOnPrimary.id).length, 0);
    assert.equal(postsOf(clickedOnPrimary.id).length, 0);
  });

  it('dispatch: 2xx delivered, 406 rejected, 500 failed with the status and the body cut to 1 KiB, a 302 not followed, an unreachable port failed as connection; one attempt event per POST with a deterministic id', async () => {
    const delivered = seedFor('delivered', DISPATCH_DOMAIN);
    const clicked = seedFor('clicked', DISPATCH_DOMAIN);
    await producer.send(TOPICS.mailEvents, JSON.stringify(delivered));
    await producer.send(TOPICS.mailEvents, JSON.stringify(clicked));
    const first = await settled(delivered.id, 3);
    const second = await settled(clicked.id, 3);
    const redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/redirect`;
    const unreachable = `http://127.0.0.1:${closedPort}/unreachable`;

    const summary = [...first.attempts, ...second.attempts]
      .map((a) => ({
        url: a.url,
        outcome: a.outcome,
        http_status: a.http_status,
        error_class: a.error_class,
        attempt: a.attempt,
        trigger: a.trigger,
      }))
      .sort((a, b) => a.url.localeCompare(b.url));
    const row = (u: string, outcome: string, status: number | null, errorClass: string | null) => ({
      url: u,
      outcome,
      http_status: status,
      error_class: errorClass,
      attempt: 1,
      trigger: 'initial',
    });
    expectEqual(
      summary,
      [
        row(redirectUrl, 'failed', 302, 'http_status'),
        row(unreachable, 'failed', null, 'connection'),
        row(url('/status/200'), 'delivered', 200, null),
        row(url('/status/204'), 'delivered', 204, null),
        row(url('/status/406'), 'rejected', 406, 'http_status'),
        row(url('/status/500'), 'failed', 500, 'http_status'),
      ].sort((a, b) => a.url.localeCompare(b.url)),
    );

    const byUrl = new Map([...first.attempts, ...second.attempts].map((a) => [a.url, a]));
    const failed500 = byUrl.get(url('/status/500')) as DeliveryAttempt;
    const body500 = `boom ${'x'.repeat(3 * KIB)}`;
    assert.equal(Buffer.byteLength(failed500.reason ?? ''), KIB, 'reason cut to 1 KiB');
    assert.equal(failed500.reason, `HTTP 500: ${body500}`.slice(0, KIB), 'the response body as reason');
    assert.equal(byUrl.get(url('/status/200'))?.reason, null);
    assert.match(byUrl.get(unreachable)?.reason ?? '', /ECONNREFUSED/);
    assert.equal(receiver.received('/redirect-target').length, 0, 'the redirect was not followed');

    for (const attempt of byUrl.values()) {
      assert.equal(attempt.delivery_id, deliveryIdOf(attempt.event_id, attempt.url));
      assert.equal(attempt.attempt_id, attemptIdOf(attempt.delivery_id, 1), 'deterministic attempt id');
      assert.equal(attempt.account_id, dispatchAccount.id);
      // The job rides only on failures (a retry or resend needs it); a delivered attempt is its head alone.
      if (attempt.outcome === 'delivered') assert.equal(attempt.job, undefined);
      else assert.equal(attempt.job?.url, attempt.url);
    }
    // One attempt event per POST: the four reachable receiver URLs got one POST each.
    for (const path of ['/status/200', '/status/204', '/status/406', '/status/500']) {
      const id = path === '/status/500' ? clicked.id : delivered.id;
      assert.equal(postsOf(id, path).length, 1, `${path}: one POST`);
    }
    assert.equal(byUrl.size, 6);
    assert.equal(first.attempts.length + second.attempts.length, 6, 'no attempt twice');
  });

  it('every POST of the file carried a fresh 50-hex token and a current timestamp', () => {
    const posts = receiver.requests.map(parsePost);
    assert.ok(posts.length >= 16, `${posts.length} POSTs`);
    const tokens = posts.map((p) => p.signature.token);
    for (const token of tokens) assert.match(token, /^[0-9a-f]{50}$/);
    assert.equal(new Set(tokens).size, tokens.length, 'no token twice');
    for (const p of posts) {
      assert.ok(
        Math.abs(Number(p.signature.timestamp) - Date.now() / 1000) < 120,
        `timestamp in seconds: ${p.signature.timestamp}`,
      );
    }
  });

  it('a private destination is refused by the sender when private destinations are not allowed (no request made)', async () => {
    const sender = new WebhookSender(2000, { allowPrivate: false, allowCidrs: [] }, 1);
    try {
      const before = receiver.requests.length;
      const literal = await sender.post(url('/private'), '{}', {});
      const named = await sender.post(url('/private').replace('127.0.0.1', 'localhost'), '{}', {});
      expectEqual(literal.result, {
        kind: 'error',
        errorClass: 'destination_refused',
        message: 'destination 127.0.0.1 is not allowed',
      });
      assert.equal(named.result.kind, 'error');
      assert.equal(named.result.kind === 'error' && named.result.errorClass, 'destination_refused');
      assert.equal(receiver.requests.length, before, 'nothing reached the receiver');
    } finally {
      await sender.close();
    }
  });
});
