import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { TOPICS, type DeliveryAttempt } from '@hookpost/contracts';
import { Receiver } from '../support/receiver';
import { seedEvent } from '../support/seeds';
import { TestSystem } from '../support/system';

describe('first real path: provisioning API -> webhook config -> mail event -> signed POST -> attempt event', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let account: Record<string, string>;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('provisions an account (hashed key, signing key) and a domain over the internal API', async () => {
    account = await system.admin('/internal/v1/accounts', { name: 'Acme' });
    assert.match(account.id, /^[0-9a-f]{24}$/);
    assert.match(account.api_key, /^key-[0-9a-f]{48}$/);
    assert.match(account.signing_key, /^[0-9a-f]{32}$/);
    const domain = await system.admin('/internal/v1/domains', {
      name: 'sample.mailgun.com',
      account_id: account.id,
    });
    expectEqual(domain, { name: 'sample.mailgun.com', account_id: account.id });
  });

  it('refuses the internal API without the admin token', async () => {
    const res = await fetch(`${system.api}/internal/v1/accounts`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token-wrong-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    assert.equal(res.status, 401);
    expectEqual(await res.json(), { message: 'Invalid admin token' });
  });

  it('creates a domain webhook with Mailgun form fields and basic auth api:<key>', async () => {
    const form = new FormData();
    form.append('id', 'delivered');
    form.append('url', receiver.url('/hooks/delivered'));
    const res = await fetch(`${system.api}/v3/domains/sample.mailgun.com/webhooks`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`api:${account.api_key}`).toString('base64')}` },
      body: form,
    });
    assert.equal(res.status, 200);
    expectEqual(await res.json(), {
      message: 'Webhook has been created',
      webhook: { urls: [receiver.url('/hooks/delivered')] },
    });
  });

  it('rejects a wrong API key with 401 in Mailgun shape', async () => {
    const res = await fetch(`${system.api}/v3/domains/sample.mailgun.com/webhooks`, {
      headers: { authorization: `Basic ${Buffer.from('api:key-nope').toString('base64')}` },
    });
    assert.equal(res.status, 401);
    assert.equal(typeof ((await res.json()) as { message: unknown }).message, 'string');
  });

  it('delivers the seed delivered event as a signed POST and records one attempt event', async () => {
    await system.configPropagated();
    const event = seedEvent('delivered');
    const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    await system.produce(TOPICS.mailEvents, JSON.stringify(event), { traceparent });

    const [post] = await receiver.waitFor('/hooks/delivered', 1);
    assert.equal(post.method, 'POST');
    assert.equal(post.headers['content-type'], 'application/json');
    assert.equal(post.headers.traceparent, traceparent);
    const body = JSON.parse(post.body) as {
      signature: { timestamp: string; token: string; signature: string };
      'event-data': Record<string, unknown>;
    };
    expectEqual(Object.keys(body).sort(), ['event-data', 'signature']);
    expectEqual(body['event-data'], event);
    const { timestamp, token, signature } = body.signature;
    assert.match(token, /^[0-9a-f]{50}$/);
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60, 'timestamp is now, in seconds');
    const expected = createHmac('sha256', account.signing_key)
      .update(timestamp + token)
      .digest('hex');
    assert.equal(signature, expected, 'signature verifies with the account signing key');

    const attempts = await system.consumeUntil(
      TOPICS.deliveryAttempts,
      (value) => JSON.parse(value.toString('utf8')) as DeliveryAttempt,
      (items) => items.some((a) => a.event_id === event.id),
    );
    const mine = attempts.filter((a) => a.event_id === event.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].outcome, 'delivered');
    assert.equal(mine[0].http_status, 200);
    assert.equal(mine[0].url, receiver.url('/hooks/delivered'));
    assert.equal(mine[0].account_id, account.id);
    assert.equal(mine[0].attempt, 1);
    assert.match(mine[0].attempt_id, /^atm_/);
  });

  it('serves /healthz and /readyz on every service and stops each with exit code 0 on SIGTERM', async () => {
    for (const service of system.services.values()) {
      const live = await fetch(`${service.url}/healthz`);
      assert.equal(live.status, 200, `${service.name} /healthz`);
      assert.equal((await service.readiness()).ok, true, `${service.name} /readyz`);
    }
    const codes = await system.stop();
    expectEqual(codes, { config: 0, ingest: 0, redaction: 0, 'fan-out': 0, retry: 0, 'failure-log': 0 });
    system = undefined as unknown as TestSystem;
  });
});
