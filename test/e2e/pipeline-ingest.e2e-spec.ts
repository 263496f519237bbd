import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { HEADERS, SCHEMAS, TOPICS, type DeliveryJob, type WebhookEvent } from '@hookpost/contracts';
import { expectEqual } from '../../libs/domain/src/testing/expect-equal';
import { ApiClient } from '../support/api-client';
import {
  MailProducer,
  parsePost,
  readinessDetails,
  seedFor,
  SEED_TYPES,
  TopicCollector,
  type Json,
  type SeedEvent,
} from '../support/pipeline';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

const DOMAIN = 'ingest.example.com';
/** A configured domain with no webhook at all. */
const QUIET_DOMAIN = 'quiet.example.com';
/** A domain nobody configured. */
const UNKNOWN_DOMAIN = 'unknown.example.org';
const MIB = 1024 * 1024;
/** Every bad input goes to one partition, followed by a good event: a stuck partition would show. */
const BAD_KEY = 'e2e-bad-input';

interface BadInput {
  name: string;
  value: Buffer | null;
  reason: RegExp;
}

/** A valid `delivered` event (fresh id) changed by `edit`, as bytes. */
function edited(edit: (event: SeedEvent) => void): Buffer {
  const event = seedFor('delivered', DOMAIN, 'bad');
  edit(event);
  return Buffer.from(JSON.stringify(event));
}

/** A JSON value nested `depth` arrays deep, written without recursion. */
function deeplyNested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

const BAD_INPUTS: BadInput[] = [
  { name: 'not JSON', value: Buffer.from('{"event": "delivered", "id": '), reason: /^not JSON/ },
  { name: 'not UTF-8 JSON', value: Buffer.from([0xff, 0xfe, 0x00, 0x7b]), reason: /^not JSON/ },
  { name: 'a JSON array', value: Buffer.from('[1,2,3]'), reason: /invalid event/ },
  { name: 'JSON null', value: Buffer.from('null'), reason: /invalid event/ },
  { name: 'an empty value', value: Buffer.alloc(0), reason: /empty/ },
  { name: 'a null value (tombstone)', value: null, reason: /empty/ },
  { name: 'no event', value: edited((e) => delete e.event), reason: /\bevent\b/ },
  { name: 'event is a number', value: edited((e) => (e.event = 42)), reason: /\bevent\b/ },
  { name: 'no timestamp', value: edited((e) => delete e.timestamp), reason: /timestamp/ },
  {
    name: 'timestamp is a string',
    value: edited((e) => (e.timestamp = '1770146431.6585283')),
    reason: /timestamp/,
  },
  { name: 'no domain.name', value: edited((e) => (e.domain = {})), reason: /domain\.name/ },
  { name: 'domain.name is a number', value: edited((e) => (e.domain = { name: 7 })), reason: /domain\.name/ },
  { name: 'domain is a string', value: edited((e) => (e.domain = DOMAIN)), reason: /domain/ },
  {
    name: 'no message-id',
    value: edited((e) => delete e.message.headers['message-id']),
    reason: /message\.headers\.message-id/,
  },
  {
    name: 'message-id is a number',
    value: edited((e) => (e.message.headers['message-id'] = 12345)),
    reason: /message\.headers\.message-id/,
  },
  { name: 'no id', value: edited((e) => delete (e as Json).id), reason: /\bid\b/ },
  {
    name: 'an unknown event name',
    value: edited((e) => (e.event = 'bounced')),
    reason: /unknown event name "bounced"/,
  },
  {
    name: 'failed without severity',
    value: edited((e) => {
      e.event = 'failed';
      delete e.severity;
    }),
    reason: /severity/,
  },
  {
    name: 'failed with an unknown severity',
    value: edited((e) => {
      e.event = 'failed';
      e.severity = 'catastrophic';
    }),
    reason: /severity/,
  },
  {
    name: 'a valid event of 1.5 MiB',
    value: edited((e) => (e['x-padding'] = 'x'.repeat(1.5 * MIB))),
    reason: new RegExp(`more than ${MIB}`),
  },
  {
    // JSON.parse takes it, but serialising it again (JSON.stringify, structuredClone) overflows the stack.
    name: 'a valid event nested 200000 levels deep',
    value: Buffer.from(
      JSON.stringify(seedFor('delivered', DOMAIN, 'bad')).replace(
        '"user-variables":[]',
        `"user-variables":${deeplyNested(200_000)}`,
      ),
    ),
    reason: /nest/,
  },
];

describe('pipeline, ingest: Mailgun event-data in, normalised events out, everything else rejected', () => {
  let system: TestSystem;
  let receiver: Receiver;
  let collector: TopicCollector;
  let producer: MailProducer;

  const postsOf = (path: string, id: string) =>
    receiver
      .received(path)
      .map(parsePost)
      .filter((p) => p['event-data'].id === id);

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start();
    collector = await TopicCollector.start(system, [
      TOPICS.mailEventsRejected,
      TOPICS.webhookEvents,
      TOPICS.webhookEventsRedacted,
      TOPICS.deliveries,
    ]);
    producer = await MailProducer.start(system);
    const account = await system.admin('/internal/v1/accounts', { name: 'Ingest' });
    await system.admin('/internal/v1/domains', { name: DOMAIN, account_id: account.id });
    await system.admin('/internal/v1/domains', { name: QUIET_DOMAIN, account_id: account.id });
    const api = new ApiClient(system.api, account.api_key);
    for (const type of SEED_TYPES) {
      const created = await api.call('POST', `/v3/domains/${DOMAIN}/webhooks`, {
        form: { id: type, url: receiver.url(`/ingest/${type}`) },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
    }
    await system.configPropagated();
  });

  afterAll(async () => {
    await producer?.stop();
    await collector?.stop();
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('accepts the seed payload of each of the 8 types (failed + severity -> permanent_fail / temporary_fail) and keeps unknown additive fields to the POST body', async () => {
    const produced = SEED_TYPES.map((type) => {
      const event = seedFor(type, DOMAIN);
      event['x-e2e-additive'] = { nested: { list: [1, 'two', null, { deep: true }] }, n: 1.5 };
      event['future-field'] = 'kept as it came';
      return { type, event };
    });
    for (const { event } of produced) await producer.send(TOPICS.mailEvents, JSON.stringify(event));

    for (const { type, event } of produced) {
      const post = await collector.until(() => postsOf(`/ingest/${type}`, event.id)[0], `${type} POST`);
      expectEqual(post['event-data'], event, `${type}: the POSTed event-data is the produced event`);
    }
    const ids = new Set(produced.map((p) => p.event.id));
    const normalised = await collector.until(() => {
      const got = collector.json<WebhookEvent>(TOPICS.webhookEvents, (e) => ids.has(e.event_id));
      return got.length >= ids.size && got;
    }, 'the normalised events');
    for (const { type, event } of produced) {
      const mine = normalised.filter((e) => e.event_id === event.id);
      assert.equal(mine.length, 1, `${type}: one normalised event`);
      assert.equal(mine[0].webhook, type, `${type}: webhook name resolved`);
      assert.equal(mine[0].domain, DOMAIN);
      assert.equal(
        mine[0].message_id,
        (event.message as { headers: Record<string, string> }).headers['message-id'],
      );
      assert.equal(mine[0].timestamp, event.timestamp);
      // Each event went to its own type's URL only.
      for (const other of SEED_TYPES.filter((t) => t !== type)) {
        assert.equal(postsOf(`/ingest/${other}`, event.id).length, 0, `${type} event POSTed to ${other}`);
      }
    }
    assert.equal(collector.on(TOPICS.mailEventsRejected).length, 0, 'nothing valid was rejected');
  });

  it('rejects every invalid input to mail.events.rejected with its original bytes, the reason and its source offset; the service stays healthy and keeps delivering behind them', async () => {
    const before = await readinessDetails(system, 'ingest', 'consumer');
    const sent: Array<BadInput & { partition: number; offset: string }> = [];
    for (const bad of BAD_INPUTS) {
      sent.push({ ...bad, ...(await producer.send(TOPICS.mailEvents, bad.value, BAD_KEY)) });
    }
    assert.equal(new Set(sent.map((s) => s.partition)).size, 1, 'one partition');
    const good = seedFor('delivered', DOMAIN, 'after-bad');
    await producer.send(TOPICS.mailEvents, JSON.stringify(good), BAD_KEY);

    await collector.until(
      () => postsOf('/ingest/delivered', good.id)[0],
      'the good event behind the bad ones',
      20_000,
    );
    const rejected = await collector.until(() => {
      const got = collector.on(TOPICS.mailEventsRejected);
      return got.length >= sent.length && got;
    }, 'every bad input rejected');
    assert.equal(rejected.length, sent.length, 'one rejected record per bad input, no more');
    for (const bad of sent) {
      const mine = rejected.filter((r) =>
        bad.value === null ? r.value === null : r.value !== null && r.value.equals(bad.value),
      );
      assert.equal(mine.length, 1, `${bad.name}: rejected once with its original bytes`);
      const h = (name: string) => mine[0].headers[name]?.toString();
      assert.match(h(HEADERS.rejectReason) ?? '', bad.reason, `${bad.name}: reason`);
      assert.equal(h(HEADERS.schema), SCHEMAS.rejectedMailEvent);
      assert.equal(h(HEADERS.sourceTopic), system.topic(TOPICS.mailEvents), `${bad.name}: source topic`);
      assert.equal(h(HEADERS.sourcePartition), String(bad.partition), `${bad.name}: source partition`);
      assert.equal(h(HEADERS.sourceOffset), bad.offset, `${bad.name}: source offset`);
      assert.equal(mine[0].key?.toString(), BAD_KEY, `${bad.name}: original key`);
    }
    // None of them went on as an event.
    const leaked = collector.json<WebhookEvent>(TOPICS.webhookEvents, (e) => e.event_id.startsWith('bad-'));
    assert.equal(leaked.length, 0, 'no bad input reached webhook.events');

    const ingest = system.service('ingest');
    assert.equal((await fetch(`${ingest.url}/healthz`)).status, 200);
    const after = await readinessDetails(system, 'ingest', 'consumer');
    assert.equal(after.status, 'up');
    assert.equal(Number(after.rejected) - Number(before.rejected), sent.length, 'rejections counted');
    assert.equal(Number(after.accepted) - Number(before.accepted), 1, 'the good event counted');
  });

  it('an event for a domain with no webhook (configured or not) is counted by fan-out, not rejected and not an error', async () => {
    const before = await readinessDetails(system, 'fan-out', 'events');
    const quiet = seedFor('delivered', QUIET_DOMAIN, 'quiet');
    const unknown = seedFor('opened', UNKNOWN_DOMAIN, 'unknown');
    const rejectedBefore = collector.on(TOPICS.mailEventsRejected).length;
    await producer.send(TOPICS.mailEvents, JSON.stringify(quiet));
    await producer.send(TOPICS.mailEvents, JSON.stringify(unknown));

    const after = await collector.until(async () => {
      const details = await readinessDetails(system, 'fan-out', 'events');
      return Number(details.events) - Number(before.events) >= 2 && details;
    }, 'fan-out to route both events');
    expectEqual(
      {
        events: Number(after.events) - Number(before.events),
        withoutWebhook: Number(after.withoutWebhook) - Number(before.withoutWebhook),
        jobs: Number(after.jobs) - Number(before.jobs),
      },
      { events: 2, withoutWebhook: 2, jobs: 0 },
    );
    const redacted = await collector.until(() => {
      const got = collector.json<WebhookEvent>(
        TOPICS.webhookEventsRedacted,
        (e) => e.event_id === quiet.id || e.event_id === unknown.id,
      );
      return got.length >= 2 && got;
    }, 'both events on webhook.events.redacted');
    expectEqual(redacted.map((e) => [e.event_id, e.domain]).sort(), [
      [quiet.id, QUIET_DOMAIN],
      [unknown.id, UNKNOWN_DOMAIN],
    ]);
    const jobs = collector.json<DeliveryJob>(
      TOPICS.deliveries,
      (j) => j.event_id === quiet.id || j.event_id === unknown.id,
    );
    assert.equal(jobs.length, 0, 'no delivery job');
    assert.equal(collector.on(TOPICS.mailEventsRejected).length, rejectedBefore, 'nothing rejected');
    assert.equal((await system.service('fan-out').readiness()).ok, true);
  });
  it('an event of exactly 1 MiB is accepted and delivered whole', async () => {
    const event = seedFor('delivered', DOMAIN, 'max-size');
    event['x-padding'] = '';
    const padding = MIB - Buffer.byteLength(JSON.stringify(event));
    event['x-padding'] = 'p'.repeat(padding);
    const bytes = Buffer.from(JSON.stringify(event));
    assert.equal(bytes.length, MIB);
    await producer.send(TOPICS.mailEvents, bytes);

    const post = await collector.until(() => postsOf('/ingest/delivered', event.id)[0], 'the 1 MiB event');
    expectEqual(post['event-data'], event);
  });

  it('malformed trace context on a mail event is dropped, not passed on: the event is still delivered; well-formed context still reaches the POST', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const cases: Array<[string, Record<string, string>, Record<string, string | undefined>]> = [
      ['a traceparent with a line break', { traceparent: '00-abc\r\nx-injected: 1' }, {}],
      ['a traceparent that is not W3C', { traceparent: 'not-a-trace-context' }, {}],
      ['a tracestate with a NUL byte', { traceparent, tracestate: 'vendor=\u0000' }, { traceparent }],
      [
        'well-formed trace context',
        { traceparent, tracestate: 'rojo=00f067aa0ba902b7' },
        { traceparent, tracestate: 'rojo=00f067aa0ba902b7' },
      ],
    ];
    const sent = [];
    for (const [name, headers, expected] of cases) {
      const event = seedFor('delivered', DOMAIN, 'trace');
      await producer.send(TOPICS.mailEvents, JSON.stringify(event), null, headers);
      sent.push({ name, event, expected });
    }
    for (const { name, event, expected } of sent) {
      const request = await collector.until(
        () => receiver.received('/ingest/delivered').find((r) => parsePost(r)['event-data'].id === event.id),
        `${name}: delivered`,
        15_000,
      );
      expectEqual(
        { traceparent: request.headers.traceparent, tracestate: request.headers.tracestate },
        { traceparent: expected.traceparent, tracestate: expected.tracestate },
        name,
      );
      assert.equal(request.headers['x-injected'], undefined);
    }
  });
});
