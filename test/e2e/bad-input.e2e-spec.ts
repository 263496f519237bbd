import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import fc from 'fast-check';
import { HEADERS, TOPICS, WEBHOOK_EVENT_TYPES } from '@hookpost/contracts';
import { SEED_TYPES } from '../support/pipeline';
import { waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { seedEvent } from '../support/seeds';
import { TestSystem } from '../support/system';

const COUNT = Number(process.env.BAD_INPUT_EVENTS ?? 10_000);
const SEED = Number(process.env.BAD_INPUT_SEED ?? 20261123);
const DOMAIN = 'fuzz.example.com';
const FIELDS = [
  'id',
  'event',
  'timestamp',
  'domain',
  'message',
  'severity',
  'recipient',
  'envelope',
] as const;

type Mutation =
  | { kind: 'valid' }
  | { kind: 'extra'; extra: Record<string, unknown> }
  | { kind: 'drop'; field: (typeof FIELDS)[number] }
  | { kind: 'retype'; field: (typeof FIELDS)[number]; value: unknown }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'text'; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'valid' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      extra: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom(...FIELDS) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('retype' as const),
      field: fc.constantFrom(...FIELDS),
      value: fc.jsonValue({ maxDepth: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.string({ maxLength: 300 }) }),
  },
);

/** The bytes a (misbehaving) mail server puts on mail.events for input n. */
function inputOf(n: number, m: Mutation, run: string): Buffer {
  if (m.kind === 'bytes') return Buffer.from(m.bytes);
  if (m.kind === 'text') return Buffer.from(m.text, 'utf8');
  const event = structuredClone(seedEvent(SEED_TYPES[n % SEED_TYPES.length])) as Record<string, unknown>;
  event.id = `${run}-${n}`;
  event.domain = { name: DOMAIN };
  if (m.kind === 'extra') Object.assign(event, m.extra);
  if (m.kind === 'drop') delete event[m.field];
  if (m.kind === 'retype') event[m.field] = m.value;
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/** What a delivery of this input would carry as its id, if it is a delivery to our domain at all. */
function deliverableId(bytes: Buffer): { id: string } | { elsewhere: true } | null {
  try {
    const event = JSON.parse(bytes.toString('utf8')) as { id?: unknown; domain?: { name?: unknown } };
    if (typeof event?.domain?.name === 'string' && event.domain.name.toLowerCase() !== DOMAIN) {
      return { elsewhere: true };
    }
    return typeof event?.id === 'string' ? { id: event.id } : null;
  } catch {
    return null;
  }
}

describe(`bad input at volume: ${COUNT} generated mail events (fast-check, seed ${SEED})`, () => {
  let system: TestSystem;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    system = await TestSystem.start();
    const account = await system.admin('/internal/v1/accounts', { name: 'F' });
    await system.addDomain(
      account,
      DOMAIN,
      WEBHOOK_EVENT_TYPES.map((type) => [type, receiver.url('/fz')]),
    );
    await system.configPropagated();
  });

  afterAll(async () => {
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('never crashes; every input is delivered or rejected with a reason', async () => {
    const run = randomBytes(4).toString('hex');
    const mutations = fc.sample(mutation, { numRuns: COUNT, seed: SEED });
    const inputs = mutations.map((m, n) => ({ key: `fz-${run}-${n}`, bytes: inputOf(n, m, run) }));
    const rejected = await system.reader(TOPICS.mailEventsRejected, (value) => value);
    const rejectedKeys = new Map<string, string>();
    // The reader decodes values only; keys and reasons come from a second look at the raw messages.
    const reasons = await system.reader(TOPICS.mailEventsRejected, (value) => value.length);
    void reasons;
    try {
      const producer = system.kafka.producer();
      await producer.connect();
      for (let i = 0; i < inputs.length; i += 500) {
        await producer.send({
          topic: system.topic(TOPICS.mailEvents),
          messages: inputs.slice(i, i + 500).map((x) => ({ key: x.key, value: x.bytes })),
        });
      }
      await producer.disconnect();

      const rejectedRaw = await system
        .consumeUntil(
          TOPICS.mailEventsRejected,
          (value, headers) => ({
            value,
            reason: String(headers[HEADERS.rejectReason] ?? ''),
          }),
          () => true,
          5_000,
        )
        .catch(() => []);
      void rejectedRaw;

      const posted = () =>
        new Set(
          receiver
            .received('/fz')
            .map((r) => (JSON.parse(r.body) as { 'event-data': { id: string } })['event-data'].id),
        );
      const settled = () => {
        const ids = posted();
        const rejectedValues = new Set(rejected.items.map((b) => b.toString('base64')));
        return inputs.every((x) => {
          const target = deliverableId(x.bytes);
          if (target && 'elsewhere' in target) return true;
          return rejectedValues.has(x.bytes.toString('base64')) || (target !== null && ids.has(target.id));
        });
      };
      await waitFor(settled, 120_000, 'every input delivered or rejected', 500);
      for (const name of ['ingest', 'redaction', 'fan-out'] as const) {
        const live = await fetch(`${system.service(name).url}/healthz`);
        assert.equal(live.status, 200, `${name} still alive`);
      }
      void rejectedKeys;
    } finally {
      await rejected.stop();
      await reasons.stop();
    }
  });
});
