import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { TOPICS } from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient } from '../support/api-client';
import { waitFor } from '../support/processes';
import { MailProducer, parsePost, seedFor, signedWith, type Posted } from '../support/pipeline';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

const SUB_DOMAIN = 'mail.sub.parent-sig.example.com';

interface Account {
  id: string;
  api_key: string;
  signing_key: string;
}

/**
 * Mailgun's signature covers timestamp + token, not the body: a `parent-signature` triple a subaccount
 * receives is valid, with any body, for its primary's key. The test send never hands one out, and a
 * primary can keep real deliveries to its subaccounts' URLs from carrying one.
 */
describe("parent-signature: the primary's signature, against the real pipeline", () => {
  let system: TestSystem;
  let receiver: Receiver;
  let producer: MailProducer;
  let primary: Account;
  let sub: Account;
  let asPrimary: ApiClient;
  let asSub: ApiClient;
  const url = (path: string) => receiver.url(path);

  /** The POST of event `id` on `path`, once it arrived. */
  const postOf = (id: string, path: string): Promise<Posted> =>
    waitFor(
      () =>
        receiver
          .received(path)
          .map(parsePost)
          .find((p) => p['event-data'].id === id),
      60_000,
      `a POST of ${id} on ${path}`,
    );

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start();
    producer = await MailProducer.start(system);
    primary = (await system.admin('/internal/v1/accounts', { name: 'Primary' })) as unknown as Account;
    sub = (await system.admin('/internal/v1/accounts', {
      name: 'Sub',
      parent_account_id: primary.id,
    })) as unknown as Account;
    await system.admin('/internal/v1/domains', { name: SUB_DOMAIN, account_id: sub.id });
    asPrimary = new ApiClient(system.api, primary.api_key);
    asSub = new ApiClient(system.api, sub.api_key);
    const created = [
      await asSub.call('POST', `/v3/domains/${SUB_DOMAIN}/webhooks`, {
        form: { id: 'delivered', url: url('/sub/domain') },
      }),
      await asPrimary.call('POST', '/v1/webhooks', {
        form: { url: url('/primary/account'), event_types: 'delivered' },
      }),
    ];
    for (const res of created) assert.equal(res.status, 200, JSON.stringify(res.body));
    await system.configPropagated();
  });

  afterAll(async () => {
    await producer?.stop();
    await receiver?.stop();
    if (system) await system.stop();
  });

  it("a subaccount's test send carries only its own signature, never the primary's", async () => {
    const res = await asSub.call('PUT', `/v3/domains/${SUB_DOMAIN}/webhooks/delivered/test`, {
      form: { url: url('/sub/test') },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [request] = await receiver.waitFor('/sub/test', 1);
    const post = parsePost(request);
    expectEqual(Object.keys(post).sort(), ['event-data', 'signature']);
    assert.ok(signedWith(sub.signing_key, post.signature), "signed with the subaccount's key");
  });

  it('the feature reads as on by default; a subaccount sees it inherited and may not change it', async () => {
    expectEqual((await asPrimary.call('GET', '/v5/accounts/features')).body, {
      features: {
        webhooks_redact_pii: { enabled: false, inherited: false },
        standard_webhooks: { enabled: false },
        parent_signature: { enabled: true, inherited: false },
      },
    });
    expectEqual((await asSub.call('GET', '/v5/accounts/features')).body, {
      features: {
        webhooks_redact_pii: { enabled: false, inherited: true },
        standard_webhooks: { enabled: false },
        parent_signature: { enabled: true, inherited: true },
      },
    });
    const refused = await asSub.call('PUT', '/v5/accounts/features', {
      form: { parent_signature: '{"enabled": false}' },
    });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.match(String(refused.body.message), /primary account/);
    const bad = await asPrimary.call('PUT', '/v5/accounts/features', { form: { parent_signature: 'off' } });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.match(String(bad.body.message), /parent_signature must be JSON/);
  });

  it("by default a delivery to the subaccount's URL carries parent-signature by the primary's key", async () => {
    const event = seedFor('delivered', SUB_DOMAIN, 'on');
    await producer.send(TOPICS.mailEvents, JSON.stringify(event));
    const post = await postOf(event.id, '/sub/domain');
    expectEqual(Object.keys(post).sort(), ['event-data', 'parent-signature', 'signature']);
    assert.ok(signedWith(sub.signing_key, post.signature));
    assert.ok(signedWith(primary.signing_key, post['parent-signature']), "the primary's key");
    assert.equal(post['parent-signature']?.token, post.signature.token);
  });

  it("turned off by the primary, deliveries to the subaccount's URLs carry none; the primary's own URL keeps it", async () => {
    const res = await asPrimary.call('PUT', '/v5/accounts/features', {
      form: { parent_signature: '{"enabled": false}' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    expectEqual(
      (res.body.features as Record<string, unknown>).parent_signature,
      { enabled: false, inherited: false },
      'the answer',
    );
    expectEqual(
      ((await asSub.call('GET', '/v5/accounts/features')).body.features as Record<string, unknown>)
        .parent_signature,
      { enabled: false, inherited: true },
      "the subaccount's view",
    );
    await system.configPropagated();

    const event = seedFor('delivered', SUB_DOMAIN, 'off');
    await producer.send(TOPICS.mailEvents, JSON.stringify(event));
    const toSub = await postOf(event.id, '/sub/domain');
    expectEqual(Object.keys(toSub).sort(), ['event-data', 'signature'], "the subaccount's URL");
    assert.ok(signedWith(sub.signing_key, toSub.signature));

    const toPrimary = await postOf(event.id, '/primary/account');
    expectEqual(Object.keys(toPrimary).sort(), ['event-data', 'parent-signature', 'signature']);
    assert.ok(signedWith(primary.signing_key, toPrimary['parent-signature']), "the primary's own URL");
  });
});
