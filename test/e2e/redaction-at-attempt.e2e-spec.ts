import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import {
  deliveryId,
  HEADERS,
  SCHEMAS,
  TOPICS,
  type DeliveryAttempt,
  type DeliveryJob,
  type WebhookEvent,
} from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient } from '../support/api-client';
import {
  MailProducer,
  parsePost,
  seedFor,
  TopicCollector,
  type Json,
  type SeedEvent,
} from '../support/pipeline';
import { Receiver, type ReceivedRequest } from '../support/receiver';
import { TestSystem } from '../support/system';

/**
 * Seed 001: "The redaction takes place just before we attempt to deliver the webhook." The policy in force
 * at each attempt applies: redaction turned on between two attempts covers the second (a retry, a resend);
 * what the configuration view does not hold is redacted, never passed on or sent in clear.
 */

/** The fields the seed's table (004) replaces, written out here for the two types used. */
const TABLE: Record<'accepted' | 'clicked', string[][]> = {
  accepted: [['envelope', 'targets'], ['message', 'headers', 'to'], ['recipient']],
  clicked: [['recipient'], ['ip']],
};

function redacted(type: keyof typeof TABLE, event: SeedEvent): Json {
  const out = structuredClone(event) as Json;
  for (const path of TABLE[type]) {
    let node = out;
    for (const key of path.slice(0, -1)) node = node[key] as Json;
    node[path[path.length - 1]] = '[REDACTED]';
  }
  return out;
}

/** The seed event of `type` for `domain` with a recipient address (and ip) of its own, to search for. */
function eventWithPii(type: keyof typeof TABLE, domain: string): { event: SeedEvent; pii: string[] } {
  const event = seedFor(type, domain, `pii-${type}`);
  const address = `alice-${randomBytes(6).toString('hex')}@customer.example`;
  event.recipient = address;
  if (type === 'accepted') {
    (event.envelope as Json).targets = address;
    event.message.headers.to = address;
    return { event, pii: [address] };
  }
  const ip = `10.${[1, 2, 3].map(() => randomBytes(1)[0]).join('.')}`;
  event.ip = ip;
  return { event, pii: [address, ip] };
}

const RETRY_DOMAIN = 'retry.redact.example.com';
const RESEND_DOMAIN = 'resend.redact.example.com';

describe('redaction just before each attempt: retries, resends and what the view does not hold', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let collector: TopicCollector;
  let producer: MailProducer;
  let primary: Record<string, string>;
  let other: Record<string, string>;
  /** Until set, /retry answers 500 (retried every 2 s) and /resend 406 (final at once). */
  let retryAccepts = false;
  let resendAccepts = false;

  const idOf = (r: ReceivedRequest) => parsePost(r)['event-data'].id;
  const postsOf = (path: string, id: string) => receiver.received(path).filter((r) => idOf(r) === id);
  const attemptsOf = (id: string) =>
    collector.json<DeliveryAttempt>(TOPICS.deliveryAttempts, (a) => a.event_id === id);
  /** Raw bytes of every record of `base` that mention `id`. */
  const rawRecords = (base: string, id: string) =>
    collector
      .on(base)
      .map((r) => r.value?.toString('utf8') ?? '')
      .filter((text) => text.includes(id));

  beforeAll(async () => {
    receiver = await new Receiver().start();
    receiver.respond = (req) => {
      if (req.path === '/retry') return retryAccepts ? 200 : 500;
      if (req.path === '/resend') return resendAccepts ? 200 : 406;
      return 200;
    };
    // Twenty tries 2 s apart: the retries keep coming while the test turns redaction on.
    system = await TestSystem.start({ env: { RETRY_SCHEDULE: Array(20).fill('2s').join(',') } });
    collector = await TopicCollector.start(system, [
      TOPICS.webhookEventsRedacted,
      TOPICS.deliveries,
      TOPICS.deliveryAttempts,
    ]);
    producer = await MailProducer.start(system);
    primary = await system.admin('/internal/v1/accounts', { name: 'Retry' });
    other = await system.admin('/internal/v1/accounts', { name: 'Resend' });
    await system.addDomain(primary, RETRY_DOMAIN, [['accepted', receiver.url('/retry')]]);
    await system.addDomain(other, RESEND_DOMAIN, [['clicked', receiver.url('/resend')]]);
    await system.configPropagated();
  });

  afterAll(async () => {
    await producer?.stop();
    await collector?.stop();
    await receiver?.stop();
    if (system) await system.stop();
  });

  /** Waits until every service's view holds the change, and a POST prepared before has surely landed. */
  const propagated = async () => {
    await system.configPropagated(60_000);
    await sleep(500);
  };

  it('a retry after the account turned redaction on arrives redacted, though its first attempt went out in clear', async () => {
    const { event, pii } = eventWithPii('accepted', RETRY_DOMAIN);
    await producer.send(TOPICS.mailEvents, JSON.stringify(event));
    const [first] = await receiver.waitFor('/retry', 1, 60_000);
    expectEqual(parsePost(first)['event-data'], event, 'redaction off: the first attempt is in clear');

    const api = new ApiClient(system.api, primary.api_key);
    const res = await api.call('PUT', '/v5/accounts/features', {
      form: { webhooks_redact_pii: '{"enabled": true}' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await propagated();
    const before = postsOf('/retry', event.id).length;
    retryAccepts = true;

    const delivered = await collector.until(
      () => attemptsOf(event.id).find((a) => a.outcome === 'delivered'),
      'the retry that is accepted',
      60_000,
    );
    assert.equal(delivered.trigger, 'retry');
    assert.ok(delivered.attempt >= 2);
    const after = postsOf('/retry', event.id).slice(before);
    assert.ok(after.length >= 1, 'a retry was made after redaction was turned on');
    for (const post of after) {
      expectEqual(parsePost(post)['event-data'], redacted('accepted', event), 'the retry is redacted');
      for (const value of pii) assert.ok(!post.body.includes(value), `the retry's body holds ${value}`);
    }
    // The job goes on redacted: the delivered attempt's record (and its job) no longer holds the address.
    const record = rawRecords(TOPICS.deliveryAttempts, event.id).find((text) =>
      text.includes(`"attempt":${delivered.attempt},`),
    );
    assert.ok(record, 'the delivered attempt record');
    for (const value of pii) assert.ok(!record.includes(value), `the attempt record holds ${value}`);
  });

  it('a resend from the failure log after the domain turned redaction on arrives redacted', async () => {
    const { event, pii } = eventWithPii('clicked', RESEND_DOMAIN);
    await producer.send(TOPICS.mailEvents, JSON.stringify(event));
    const [first] = await receiver.waitFor('/resend', 1, 60_000);
    expectEqual(parsePost(first)['event-data'], event, 'redaction off: the first attempt is in clear');

    const api = new ApiClient(system.api, other.api_key);
    await collector.until(
      async () => {
        const res = await api.call('GET', `/v3/domains/${RESEND_DOMAIN}/webhook-failures`);
        const items = (res.body.items ?? []) as Array<{ event_id: string; final: boolean }>;
        return items.some((i) => i.event_id === event.id && i.final);
      },
      'the final failure in the failure log',
      60_000,
    );
    const domain = await api.call('PUT', `/v4/domains/${RESEND_DOMAIN}`, {
      form: { webhooks_redact_pii: 'true' },
    });
    assert.equal(domain.status, 200, JSON.stringify(domain.body));
    await propagated();
    resendAccepts = true;

    const resend = await api.call('POST', `/v3/domains/${RESEND_DOMAIN}/webhook-failures/${event.id}/resend`);
    assert.equal(resend.status, 200, JSON.stringify(resend.body));
    const posts = await receiver.waitFor('/resend', 2, 60_000);
    const resent = posts.filter((p) => idOf(p) === event.id)[1];
    expectEqual(parsePost(resent)['event-data'], redacted('clicked', event), 'the resend is redacted');
    for (const value of pii) assert.ok(!resent.body.includes(value), `the resend's body holds ${value}`);
    const manual = await collector.until(
      () => attemptsOf(event.id).find((a) => a.trigger === 'manual'),
      "the resend's attempt",
    );
    assert.equal(manual.outcome, 'delivered');
  });

  it('the redaction service passes an event of a domain its view does not hold on redacted, never in clear', async () => {
    const { event, pii } = eventWithPii('accepted', 'unknown.redact.example.com');
    await producer.send(TOPICS.mailEvents, JSON.stringify(event));
    const out = await collector.until(
      () => collector.json<WebhookEvent>(TOPICS.webhookEventsRedacted, (e) => e.event_id === event.id)[0],
      'the event on webhook.events.redacted',
    );
    assert.equal(out.redacted, true);
    expectEqual(out.event_data, redacted('accepted', event));
    for (const text of rawRecords(TOPICS.webhookEventsRedacted, event.id)) {
      for (const value of pii) assert.ok(!text.includes(value), `webhook.events.redacted holds ${value}`);
    }
  });

  it('the dispatcher redacts a job of a domain its view does not hold (a retry or resend of a domain deleted since): no POST, and its attempt record carries no PII', async () => {
    const { event, pii } = eventWithPii('accepted', 'gone.redact.example.com');
    const url = receiver.url('/gone');
    const now = Date.now();
    // The job as the retry service or a resend would put it back: in clear, as routed before the domain went.
    const job: DeliveryJob = {
      delivery_id: deliveryId(event.id, url),
      event_id: event.id,
      webhook: 'accepted',
      domain: 'gone.redact.example.com',
      message_id: String(event.message.headers['message-id']),
      url,
      level: 'domain',
      attempt: 2,
      trigger: 'retry',
      created_at: now,
      due_at: now,
      event_data: event,
    };
    await system.produce(TOPICS.deliveries, JSON.stringify(job), { [HEADERS.schema]: SCHEMAS.deliveryJob });
    const attempt = await collector.until(
      () => attemptsOf(event.id).find((a) => a.attempt === 2),
      'its attempt event',
    );
    assert.equal(attempt.outcome, 'failed');
    assert.equal(attempt.error_class, 'no_signing_key');
    expectEqual(attempt.job?.event_data, redacted('accepted', event));
    const record = rawRecords(TOPICS.deliveryAttempts, event.id).find((t) => t.includes('"attempt":2,'));
    assert.ok(record);
    for (const value of pii) assert.ok(!record.includes(value), `the attempt record holds ${value}`);
    assert.equal(receiver.received('/gone').length, 0, 'nothing is sent for a domain the view does not hold');
  });
});
