import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { TOPICS, type DeliveryAttempt, type WebhookEvent } from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient } from '../support/api-client';
import {
  MailProducer,
  parsePost,
  seedFor,
  SEED_TYPES,
  TopicCollector,
  type Json,
  type SeedEvent,
  type SeedType,
} from '../support/pipeline';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

/**
 * The PII table of seed 004, written out here (not taken from libs/domain): the fields each event type
 * loses, as paths into Mailgun's event-data.
 */
const TARGETS = ['envelope', 'targets'];
const TO = ['message', 'headers', 'to'];
const RECIPIENT = ['recipient'];
const IP = ['ip'];
const PII_TABLE: Record<SeedType, string[][]> = {
  accepted: [TARGETS, TO, RECIPIENT],
  delivered: [TARGETS, TO, RECIPIENT],
  permanent_fail: [TARGETS, TO, RECIPIENT],
  temporary_fail: [TARGETS, TO, RECIPIENT],
  opened: [RECIPIENT, IP],
  clicked: [RECIPIENT, IP],
  complained: [TO, RECIPIENT],
  unsubscribed: [TO, RECIPIENT],
};

/** The produced event with the table's fields that it has replaced by `[REDACTED]`. */
function redacted(type: SeedType, event: SeedEvent): Json {
  const out = structuredClone(event) as Json;
  for (const path of PII_TABLE[type]) {
    let node = out;
    for (const key of path.slice(0, -1)) node = (node?.[key] ?? undefined) as Json;
    const last = path[path.length - 1];
    if (node && last in node) node[last] = '[REDACTED]';
  }
  return out;
}

/** The PII values of an event that the table redacts: none of them may be left anywhere after it. */
function piiValues(type: SeedType, event: SeedEvent): string[] {
  const values = new Set<string>();
  for (const path of PII_TABLE[type]) {
    let node: unknown = event;
    for (const key of path) node = (node as Json | undefined)?.[key];
    if (typeof node === 'string') values.add(node);
  }
  return [...values];
}

const P1_DOMAIN = 'own.p1.example.com';
const S1_DOMAIN = 'sub.s1.example.com';
const ON_DOMAIN = 'on.p2.example.com';
const OFF_DOMAIN = 'off.p2.example.com';

describe('pipeline, redaction: the PII table of seed 004 over the real pipeline, by account and by domain', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let collector: TopicCollector;
  let producer: MailProducer;
  /** The events produced for each domain, one per type. */
  const produced = new Map<string, Array<{ type: SeedType; event: SeedEvent }>>();

  const postOf = (domain: string, id: string) =>
    collector.until(
      () =>
        receiver
          .received(`/red/${domain}`)
          .map(parsePost)
          .find((p) => p['event-data'].id === id),
      `the POST of ${id} for ${domain}`,
    );

  /** Each type's event for `domain` arrives as `expected` says. */
  const expectPosts = async (domain: string, expected: (type: SeedType, event: SeedEvent) => Json) => {
    for (const { type, event } of produced.get(domain) ?? []) {
      const post = await postOf(domain, event.id);
      expectEqual(post['event-data'], expected(type, event), `${domain}: ${type}`);
    }
  };

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start();
    collector = await TopicCollector.start(system, [
      TOPICS.webhookEventsRedacted,
      TOPICS.deliveries,
      TOPICS.deliveryAttempts,
    ]);
    producer = await MailProducer.start(system);
    const p1 = await system.admin('/internal/v1/accounts', { name: 'P1' });
    const s1 = await system.admin('/internal/v1/accounts', { name: 'S1', parent_account_id: p1.id });
    const p2 = await system.admin('/internal/v1/accounts', { name: 'P2' });
    await system.admin('/internal/v1/domains', { name: P1_DOMAIN, account_id: p1.id });
    await system.admin('/internal/v1/domains', { name: S1_DOMAIN, account_id: s1.id });
    await system.admin('/internal/v1/domains', { name: ON_DOMAIN, account_id: p2.id });
    await system.admin('/internal/v1/domains', { name: OFF_DOMAIN, account_id: p2.id });
    const asP1 = new ApiClient(system.api, p1.api_key);
    const asP2 = new ApiClient(system.api, p2.api_key);
    const hooks: Array<[ApiClient, string, Record<string, string>]> = [
      [asP1, P1_DOMAIN, {}],
      [asP1, S1_DOMAIN, { 'X-Mailgun-On-Behalf-Of': s1.id }],
      [asP2, ON_DOMAIN, {}],
      [asP2, OFF_DOMAIN, {}],
    ];
    for (const [api, domain, headers] of hooks) {
      const created = await api.call('POST', `/v4/domains/${domain}/webhooks`, {
        form: { url: receiver.url(`/red/${domain}`), event_types: [...SEED_TYPES] },
        headers,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
    }
    const account = await asP1.call('PUT', '/v5/accounts/features', {
      form: { webhooks_redact_pii: '{"enabled": true}' },
    });
    assert.equal(account.status, 200, JSON.stringify(account.body));
    const domain = await asP2.call('PUT', `/v4/domains/${ON_DOMAIN}`, {
      form: { webhooks_redact_pii: 'true' },
    });
    assert.equal(domain.status, 200, JSON.stringify(domain.body));
    await system.configPropagated();

    for (const name of [P1_DOMAIN, S1_DOMAIN, ON_DOMAIN, OFF_DOMAIN]) {
      const events = SEED_TYPES.map((type) => {
        const event = seedFor(type, name);
        // Never touched: correlation data the customer put in, and the tags.
        event['user-variables'] = { 'order-id': 'A-1789', nested: { campaign: 'spring' } };
        event.tags = ['webhook_payload', 'e2e'];
        return { type, event };
      });
      produced.set(name, events);
      for (const { event } of events) await producer.send(TOPICS.mailEvents, JSON.stringify(event));
    }
  });

  afterAll(async () => {
    await producer?.stop();
    await collector?.stop();
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('the primary account has PII redaction on: every type on its domain arrives redacted exactly as the table says', async () => {
    await expectPosts(P1_DOMAIN, redacted);
  });

  it("the primary account has it on: every type on its subaccount's domain arrives redacted too (inherited)", async () => {
    await expectPosts(S1_DOMAIN, redacted);
  });

  it('the domain has it on: every type on that domain arrives redacted', async () => {
    await expectPosts(ON_DOMAIN, redacted);
  });

  it('redaction off (another domain of the same account): every type arrives exactly as produced', async () => {
    await expectPosts(OFF_DOMAIN, (_type, event) => event);
  });

  it('the table, cell by cell: message-id, user-variables and tags untouched; ip kept where the table keeps it', async () => {
    const byType = new Map(produced.get(ON_DOMAIN)?.map((p) => [p.type, p.event]));
    const data = async (type: SeedType) =>
      (await postOf(ON_DOMAIN, (byType.get(type) as SeedEvent).id))['event-data'] as unknown as Json & {
        message: { headers: Json };
        envelope?: Json;
      };
    for (const type of SEED_TYPES) {
      const got = await data(type);
      const sent = byType.get(type) as SeedEvent;
      assert.equal(got.recipient, '[REDACTED]', `${type}: recipient`);
      assert.equal(got.message.headers['message-id'], sent.message.headers['message-id'], type);
      expectEqual(got['user-variables'], sent['user-variables'], `${type}: user-variables`);
      expectEqual(got.tags, sent.tags, `${type}: tags`);
    }
    assert.equal((await data('unsubscribed')).ip, '38.142.208.162', 'unsubscribed keeps its ip');
    assert.equal((await data('opened')).ip, '[REDACTED]');
    assert.equal((await data('clicked')).ip, '[REDACTED]');
    expectEqual((await data('complained')).envelope, { 'sending-ip': '161.38.194.10' });
    assert.equal((await data('unsubscribed')).message.headers.to, undefined, 'an absent field is not added');
  });

  it('nothing after redaction holds the original PII: redacted events and attempt events, searched as raw bytes', async () => {
    const redactedDomains = [P1_DOMAIN, S1_DOMAIN, ON_DOMAIN];
    const cases = redactedDomains.flatMap((d) => produced.get(d) ?? []);
    const ids = new Set(cases.map((c) => c.event.id));
    // First attempts are made where the event is read: no job of them goes through webhook.deliveries.
    const after = [TOPICS.webhookEventsRedacted, TOPICS.deliveryAttempts];
    for (const base of after) {
      await collector.until(() => {
        const seen = new Set(collector.json<{ event_id: string }>(base).map((r) => r.event_id));
        return [...ids].every((id) => seen.has(id));
      }, `a record on ${base} for every redacted event`);
    }
    const attempts = collector.json<DeliveryAttempt>(TOPICS.deliveryAttempts, (a) => ids.has(a.event_id));
    assert.equal(attempts.length, ids.size, 'one attempt per event');
    assert.ok(attempts.every((a) => a.outcome === 'delivered'));
    const events = collector.json<WebhookEvent>(TOPICS.webhookEventsRedacted, (e) => ids.has(e.event_id));
    assert.equal(events.length, ids.size);
    assert.ok(events.every((e) => e.redacted === true));

    assert.equal(collector.on(TOPICS.deliveries).length, 0, 'no job for a first attempt');
    for (const base of after) {
      for (const { type, event } of cases) {
        const raw = collector
          .on(base)
          .map((r) => r.value?.toString('utf8') ?? '')
          .filter((text) => text.includes(event.id));
        assert.equal(raw.length, 1, `${base}: one record of ${type} ${event.id}`);
        const pii = piiValues(type, event);
        assert.ok(pii.length > 0);
        for (const value of pii) {
          assert.ok(!raw[0].includes(value), `${base} holds "${value}" of ${type} ${event.id}`);
        }
      }
    }
    // The original recipient address of the seed, whichever field held it.
    const attemptBytes = collector
      .on(TOPICS.deliveryAttempts)
      .map((r) => r.value?.toString('utf8') ?? '')
      .filter((text) => [...ids].some((id) => text.includes(id)))
      .join('\n');
    assert.ok(!attemptBytes.includes('recipient@sample.mailgun.com'));
    assert.ok(!attemptBytes.includes('recipient@mailgun.com'));
  });
});
