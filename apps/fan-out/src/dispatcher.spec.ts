import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { KafkaMessage } from 'kafkajs';
import pino from 'pino';
import {
  attemptOutcomeOf,
  configKey,
  decodeAttempt,
  deliveryId,
  deliveryJobSchema,
  eventMessage,
  HEADERS,
  headerText,
  SCHEMAS,
  type AccountRecord,
  type DeliveryJob,
  type DomainRecord,
} from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState } from '@hookpost/domain';
import { SEED_DELIVERED } from '../../../libs/domain/src/testing/seed-events';
import { HandBack, type BatchingProducer, type OutgoingRecord } from '@hookpost/kafka';
import type { WebhookSender } from '@hookpost/outbound';
import { accountSlotOf, Dispatcher, type DispatchJournal } from './dispatcher';
import { EndpointLimiter } from './endpoint-limiter';

const ACCOUNT: AccountRecord = {
  kind: 'account',
  id: 'acc_1',
  parent_id: null,
  signing_key: 'key-secret',
  redact_pii: false,
  standard_webhooks: false,
};
const DOMAIN: DomainRecord = {
  kind: 'domain',
  name: 'd.example.com',
  account_id: 'acc_1',
  redact_pii: false,
};

function state() {
  const s = emptyConfigState();
  applyConfigRecord(s, configKey.account(ACCOUNT.id), ACCOUNT);
  applyConfigRecord(s, configKey.domain(DOMAIN.name), DOMAIN);
  return s;
}

function message(url: string, offset = '0'): KafkaMessage {
  const job: DeliveryJob = {
    delivery_id: deliveryId(`ev-${offset}`, url),
    event_id: `ev-${offset}`,
    webhook: 'delivered',
    domain: DOMAIN.name,
    message_id: 'm@example.com',
    url,
    level: 'domain',
    attempt: 1,
    trigger: 'initial',
    created_at: 1,
    due_at: 1,
    event_data: SEED_DELIVERED,
  };
  return {
    key: null,
    value: Buffer.from(JSON.stringify(job)),
    offset,
    timestamp: '0',
    attributes: 0,
    headers: {},
  };
}

/** A sender that answers 200 after the gate opens, counting POSTs (each reported written). */
function sender(gate: Promise<void> = Promise.resolve()) {
  const posts: string[] = [];
  const fake = {
    async post(url: string, _body: string | Buffer, _headers: Record<string, string>, written?: () => void) {
      posts.push(url);
      written?.();
      await gate;
      return { result: { kind: 'response', status: 200, body: '' }, durationMs: 1 };
    },
  };
  return { posts, sender: fake as unknown as WebhookSender };
}

/** A producer whose first `failures` sends reject. */
function producer(failures: number) {
  const sent: OutgoingRecord[][] = [];
  let calls = 0;
  const fake = {
    async send(records: OutgoingRecord[]) {
      calls++;
      if (calls <= failures) throw new Error('MESSAGE_TOO_LARGE');
      sent.push(records);
    },
  };
  return { sent, calls: () => calls, producer: fake as unknown as BatchingProducer };
}

function journal() {
  const open = new Set<number>();
  let seq = 0;
  const j: DispatchJournal = {
    written: () => {
      open.add(++seq);
      return seq;
    },
    ended: (s) => void open.delete(s),
  };
  return { open, journal: j };
}

const ctx = { topic: 'webhook.deliveries', partition: 0 };
const TOPICS = {
  attempts: 'webhook.delivery-attempts',
  deliveries: 'webhook.deliveries',
  rejected: 'mail.events.rejected',
};
const logger = pino({ level: 'silent' });

function dispatcher(opts: {
  failures: number;
  timeoutMs: number;
  gate?: Promise<void>;
  limiter?: EndpointLimiter;
}) {
  const s = sender(opts.gate);
  const p = producer(opts.failures);
  const j = journal();
  let stops = 0;
  const d = new Dispatcher(
    state(),
    s.sender,
    opts.limiter ?? new EndpointLimiter(8, 8),
    p.producer,
    TOPICS,
    j.journal,
    logger,
    { timeoutMs: opts.timeoutMs, initialBackoffMs: 10, maxBackoffMs: 40, stop: () => stops++ },
  );
  return { d, s, p, j, stops: () => stops };
}

describe('Dispatcher: recording the attempt event', () => {
  it('given the produce fails twice and then succeeds, then one POST, the produce retried, and the journal entry ended', async () => {
    const { d, s, p, j, stops } = dispatcher({ failures: 2, timeoutMs: 5000 });
    await d.handleJob(message('https://h.example.net/a'), ctx);
    assert.equal(s.posts.length, 1, 'one POST');
    assert.equal(p.calls(), 3);
    assert.equal(p.sent.length, 1);
    assert.equal(p.sent[0][0].topic, 'webhook.delivery-attempts');
    assert.equal(j.open.size, 0);
    assert.equal(stops(), 0);
  });

  it('given the produce keeps failing past its time, then one POST, the service is stopped once, the job is handed back, and its journal entry stays open', async () => {
    const { d, s, p, j, stops } = dispatcher({ failures: Number.MAX_SAFE_INTEGER, timeoutMs: 200 });
    const started = Date.now();
    await assert.rejects(
      d.handleJob(message('https://h.example.net/a'), ctx),
      (err) => err instanceof HandBack,
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 150 && elapsed < 1000, `gave up after ${elapsed} ms`);
    assert.ok(p.calls() >= 3, `${p.calls()} produce attempts`);
    assert.equal(s.posts.length, 1, 'the POST was made once');
    assert.equal(stops(), 1);
    assert.equal(j.open.size, 1, 'left for the next start to record as interrupted');
    // Meanwhile (the service is stopping) another job is handed back without a POST.
    await assert.rejects(
      d.handleJob(message('https://h.example.net/b', '1'), ctx),
      (err) => err instanceof HandBack,
    );
    assert.equal(s.posts.length, 1);
    assert.equal(stops(), 1);
  });

  it('given a produce that never answers, then the time bound still applies', async () => {
    const s = sender();
    let stops = 0;
    const d = new Dispatcher(
      state(),
      s.sender,
      new EndpointLimiter(8, 8),
      { send: () => new Promise<void>(() => undefined) } as unknown as BatchingProducer,
      TOPICS,
      journal().journal,
      logger,
      { timeoutMs: 150, initialBackoffMs: 10, maxBackoffMs: 40, stop: () => stops++ },
    );
    await assert.rejects(
      d.handleJob(message('https://h.example.net/a'), ctx),
      (err) => err instanceof HandBack,
    );
    assert.equal(stops, 1);
    assert.equal(s.posts.length, 1);
  });
});

describe('Dispatcher: giving up', () => {
  it('given one job past its bound, then another job waiting on a produce that never answers is handed back at once, its POST made once', async () => {
    const s = sender();
    let stops = 0;
    let calls = 0;
    const fake = {
      send: () =>
        ++calls === 1 ? Promise.reject(new Error('MESSAGE_TOO_LARGE')) : new Promise<void>(() => undefined),
    };
    const j = journal();
    const d = new Dispatcher(
      state(),
      s.sender,
      new EndpointLimiter(8, 8),
      fake as unknown as BatchingProducer,
      TOPICS,
      j.journal,
      logger,
      { timeoutMs: 300, initialBackoffMs: 200, maxBackoffMs: 200, stop: () => stops++ },
    );
    // The first job's produce fails, its retry hangs, and it gives up at ~300 ms.
    const first = d.handleJob(message('https://h.example.net/a', '0'), ctx);
    await new Promise((r) => setTimeout(r, 150));
    const started = Date.now(); // the second's own bound would end at ~450 ms
    const second = d.handleJob(message('https://h.example.net/b', '1'), ctx); // its produce never answers
    await assert.rejects(first, (err) => err instanceof HandBack);
    await assert.rejects(second, (err) => err instanceof HandBack);
    const waited = Date.now() - started;
    assert.ok(waited < 260, `the second was handed back with the first (${waited} ms), not at its own bound`);
    assert.equal(stops, 1);
    assert.equal(s.posts.length, 2);
    assert.equal(j.open.size, 2, 'both POSTs left open in the journal');
  });
});

describe('Dispatcher: slots', () => {
  it('given a job queued behind its URL, then the lease says waiting while it waits and running once it has its slot', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { d } = dispatcher({ failures: 0, timeoutMs: 5000, gate, limiter: new EndpointLimiter(1, 8) });
    const events: string[] = [];
    const lease = { waiting: () => events.push('waiting'), running: () => events.push('running') };
    const first = d.handleJob(message('https://h.example.net/a', '0'), ctx, lease);
    const second = d.handleJob(message('https://h.example.net/a', '1'), ctx, lease);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events, ['waiting']);
    open();
    await Promise.all([first, second]);
    assert.deepEqual(events, ['waiting', 'running']);
  });

  it('given a domain the view knows, then its owner account is the slot; else the domain stands in', () => {
    assert.equal(accountSlotOf(state(), DOMAIN.name), 'acc_1');
    assert.equal(accountSlotOf(state(), 'unknown.example.com'), 'domain:unknown.example.com');
  });
});

const URL_A = 'https://a.example.net/hook';
const URL_B = 'https://b.example.net/hook';

/** The state with `urls` subscribed to the domain's delivered events. */
function stateWith(urls: string[]) {
  const s = state();
  applyConfigRecord(s, configKey.domainWebhooks(DOMAIN.name), {
    kind: 'domain_webhooks',
    domain: DOMAIN.name,
    webhooks: { delivered: urls },
  });
  return s;
}

/** A webhook event's record as redaction writes it: the envelope in headers, the event data as value. */
function eventRecord(eventId = 'ev-1', offset = '0'): KafkaMessage {
  const written = eventMessage(
    {
      event_id: eventId,
      webhook: 'delivered',
      domain: DOMAIN.name,
      message_id: 'm@example.com',
      timestamp: 1.5,
      received_at: 1,
      redacted: false,
    },
    JSON.stringify(SEED_DELIVERED),
    { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  );
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(written.headers ?? {})) headers[k] = Buffer.from(String(v));
  return {
    key: Buffer.from(eventId),
    value: Buffer.from(String(written.value)),
    offset,
    timestamp: '0',
    attributes: 0,
    headers,
  };
}

/** A sender answering each URL with its status (200 when not given), after `gates[url]` opens. */
function statusSender(statuses: Record<string, number>, gates: Record<string, Promise<void>> = {}) {
  const posts: Array<{ url: string; body: string | Buffer }> = [];
  const fake = {
    async post(url: string, body: string | Buffer, _headers: Record<string, string>, written?: () => void) {
      posts.push({ url, body });
      written?.();
      await gates[url];
      return { result: { kind: 'response', status: statuses[url] ?? 200, body: 'no' }, durationMs: 1 };
    },
  };
  return { posts, sender: fake as unknown as WebhookSender };
}

function eventDispatcher(
  urls: string[],
  sent: ReturnType<typeof statusSender>,
  limiter = new EndpointLimiter(8, 8),
) {
  const p = producer(0);
  const d = new Dispatcher(
    stateWith(urls),
    sent.sender,
    limiter,
    p.producer,
    TOPICS,
    journal().journal,
    logger,
    {
      timeoutMs: 5000,
      stop: () => undefined,
    },
  );
  return { d, p };
}

const asIn = (record: OutgoingRecord) => ({
  value: Buffer.from(record.message.value as Buffer | string),
  headers: record.message.headers,
});

describe('Dispatcher: an event', () => {
  it('given an event with two URLs, when handled, then each URL gets one POST around the event data as it came, and one attempt event keyed by delivery id', async () => {
    const sent = statusSender({});
    const { d, p } = eventDispatcher([URL_A, URL_B], sent);
    await d.handleEvent(eventRecord(), ctx);

    assert.deepEqual(sent.posts.map((post) => post.url).sort(), [URL_A, URL_B]);
    for (const post of sent.posts) {
      assert.ok(Buffer.isBuffer(post.body), 'a body of bytes: the event data was not decoded');
      assert.ok(
        post.body.toString().endsWith(`,"event-data":${JSON.stringify(SEED_DELIVERED)}}`),
        'the bytes as they came',
      );
    }
    const records = p.sent.flat();
    assert.equal(records.length, 2);
    for (const record of records) {
      assert.equal(record.topic, TOPICS.attempts);
      assert.equal(headerText(record.message.headers, HEADERS.schema), SCHEMAS.deliveryAttempt);
      assert.equal(attemptOutcomeOf(asIn(record)), 'delivered');
      const attempt = decodeAttempt(asIn(record));
      assert.ok(attempt.ok);
      assert.equal(record.message.key, deliveryId('ev-1', attempt.value.url));
      assert.equal(attempt.value.job, undefined, 'a delivered attempt carries no job');
      assert.equal(attempt.value.attempt, 1);
      assert.equal(attempt.value.trigger, 'initial');
    }
    assert.deepEqual(d.stats, { events: 1, withoutWebhook: 0, jobs: 2 });
  });

  it('given a URL that fails, when handled, then its attempt event carries the job with the event data (for the retry)', async () => {
    const sent = statusSender({ [URL_B]: 500 });
    const { d, p } = eventDispatcher([URL_A, URL_B], sent);
    await d.handleEvent(eventRecord(), ctx);

    const failed = p.sent.flat().find((r) => attemptOutcomeOf(asIn(r)) === 'failed');
    assert.ok(failed);
    const attempt = decodeAttempt(asIn(failed));
    assert.ok(attempt.ok);
    assert.equal(attempt.value.url, URL_B);
    assert.deepEqual(deliveryJobSchema.parse(attempt.value.job).event_data, SEED_DELIVERED);
    assert.equal(attempt.value.job?.delivery_id, deliveryId('ev-1', URL_B));
  });

  it('given an event nobody subscribed to, when handled, then nothing is sent and it is counted, not rejected', async () => {
    const sent = statusSender({});
    const { d, p } = eventDispatcher([], sent);
    await d.handleEvent(eventRecord(), ctx);
    assert.equal(sent.posts.length, 0);
    assert.equal(p.sent.length, 0);
    assert.deepEqual(d.stats, { events: 1, withoutWebhook: 1, jobs: 0 });
  });

  it('given a record that is not a webhook event, when handled, then it goes to the rejected topic with the reason', async () => {
    const sent = statusSender({});
    const { d, p } = eventDispatcher([URL_A], sent);
    const bad = eventRecord();
    bad.headers = { ...bad.headers, [HEADERS.webhook]: Buffer.from('bounced') };
    await d.handleEvent(bad, ctx);
    assert.equal(sent.posts.length, 0);
    const [rejected] = p.sent.flat();
    assert.equal(rejected.topic, TOPICS.rejected);
    assert.match(headerText(rejected.message.headers, HEADERS.rejectReason) ?? '', /not an event type/);
  });

  it('given a stop while one URL waits for its slot and the other was delivered, then the waiting one is handed on as a job, not made again later', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const sent = statusSender({}, { [URL_A]: gate });
    const limiter = new EndpointLimiter(1, 8);
    const { d, p } = eventDispatcher([URL_A, URL_B], sent, limiter);
    // URL_A's slot is taken by an earlier event that hangs; the second event's URL_A delivery waits for it.
    const earlier = d.handleEvent(eventRecord('ev-0', '0'), ctx);
    await new Promise((r) => setImmediate(r));
    const handled = d.handleEvent(eventRecord('ev-1', '1'), ctx);
    await new Promise((r) => setTimeout(r, 20));
    limiter.close(() => new HandBack());
    await handled;
    open();
    await earlier;

    const jobs = p.sent.flat().filter((r) => r.topic === TOPICS.deliveries);
    assert.equal(jobs.length, 1);
    const job = deliveryJobSchema.parse(JSON.parse(String(jobs[0].message.value)));
    assert.equal(job.url, URL_A);
    assert.equal(job.event_id, 'ev-1');
    assert.deepEqual(job.event_data, SEED_DELIVERED);
    assert.equal(sent.posts.filter((post) => post.url === URL_B).length, 2, 'URL_B got both events once');
  });

  it('given a stop before any of its deliveries started, then the event is handed back whole', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const sent = statusSender({}, { [URL_A]: gate });
    const limiter = new EndpointLimiter(1, 8);
    const { d, p } = eventDispatcher([URL_A], sent, limiter);
    const earlier = d.handleEvent(eventRecord('ev-0', '0'), ctx);
    await new Promise((r) => setImmediate(r));
    const handled = d.handleEvent(eventRecord('ev-1', '1'), ctx);
    await new Promise((r) => setTimeout(r, 20));
    limiter.close(() => new HandBack());
    await assert.rejects(handled, (err) => err instanceof HandBack);
    open();
    await earlier;
    assert.equal(p.sent.flat().filter((r) => r.topic === TOPICS.deliveries).length, 0);
  });
});
