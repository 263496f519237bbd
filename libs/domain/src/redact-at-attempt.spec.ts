import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { deliveryId, type ConfigRecord, type DeliveryJob } from '@hookpost/contracts';
import { jobParts, prepareDelivery } from './dispatch';
import { REDACTED, redactEventData } from './redact';
import { jobAtAttempt, redactionRequired } from './redact-at-attempt';
import { SEED_CASES, SEED_DELIVERED, SEED_OPENED, type JsonObject } from './testing/seed-events';
import {
  accountRecord as account,
  configStateOf as stateOf,
  domainRecord as domain,
} from './testing/config-records';
import { expectEqual } from './testing/expect-equal';

/** Primary P owns p.example.com, its subaccount S owns s.example.com; nobody opted in. */
const BASE: readonly ConfigRecord[] = [
  account('P', null),
  account('S', 'P'),
  domain('p.example.com', 'P'),
  domain('s.example.com', 'S'),
];

const URL = 'https://hooks.example.net/mailgun';
const NOW_MS = 1_770_146_798_999;
const TOKEN = 'cd'.repeat(25);

function job(domainName: string, data: JsonObject, overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    delivery_id: deliveryId('evt-1', URL),
    event_id: 'evt-1',
    webhook: 'delivered',
    domain: domainName,
    message_id: 'm@sample.mailgun.com',
    url: URL,
    level: 'domain',
    attempt: 2,
    trigger: 'retry',
    created_at: NOW_MS - 60_000,
    due_at: NOW_MS,
    event_data: data,
    ...overrides,
  };
}

const eventDataOfBody = (body: string) => (JSON.parse(body) as { 'event-data': JsonObject })['event-data'];

describe('redactionRequired', () => {
  const cases: Array<{ name: string; records: readonly ConfigRecord[]; domain: string; expected: boolean }> =
    [
      { name: 'nobody opted in', records: BASE, domain: 's.example.com', expected: false },
      {
        name: "the domain's own flag",
        records: [...BASE, domain('p.example.com', 'P', true)],
        domain: 'p.example.com',
        expected: true,
      },
      {
        name: "the primary's flag, for its own domain",
        records: [...BASE, account('P', null, true)],
        domain: 'p.example.com',
        expected: true,
      },
      {
        name: "the primary's flag, inherited by its subaccount's domain",
        records: [...BASE, account('P', null, true)],
        domain: 's.example.com',
        expected: true,
      },
      {
        name: "the subaccount's flag alone (only the primary's counts)",
        records: [...BASE, account('S', 'P', true)],
        domain: 's.example.com',
        expected: false,
      },
      {
        name: 'a domain the view does not hold (not yet, or deleted since)',
        records: BASE,
        domain: 'unknown.example.com',
        expected: true,
      },
      {
        name: 'a domain whose account the view does not hold',
        records: [domain('p.example.com', 'P')],
        domain: 'p.example.com',
        expected: true,
      },
      {
        name: "a subaccount's domain whose primary the view does not hold",
        records: [account('S', 'P'), domain('s.example.com', 'S')],
        domain: 's.example.com',
        expected: true,
      },
    ];
  for (const { name, records, domain: domainName, expected } of cases) {
    it(`given ${name}, then redaction is ${expected ? 'required' : 'not required'}`, () => {
      assert.equal(redactionRequired(stateOf(records), domainName), expected);
    });
  }
});

describe('jobAtAttempt', () => {
  it('given redaction off, when attempted, then the job is the same object (no copy, no re-serialising)', () => {
    const j = job('p.example.com', SEED_DELIVERED);
    assert.equal(jobAtAttempt(stateOf(BASE), j), j);
  });

  describe('given redaction turned on after the job was routed in clear, when attempted, then its event data is redacted as the table says', () => {
    const state = stateOf([...BASE, account('P', null, true)]);
    for (const { webhook, data } of SEED_CASES) {
      it(`given ${webhook}`, () => {
        const j = job('s.example.com', structuredClone(data), { webhook });
        const out = jobAtAttempt(state, j);

        expectEqual(out, { ...j, event_data: redactEventData(webhook, data) });
        expectEqual(j.event_data, data, 'the job it was given is not mutated');
      });
    }
  });

  it('given a job whose data was redacted upstream and redaction still on, when attempted, then it is the same object (idempotent, no copy)', () => {
    const j = job('p.example.com', redactEventData('delivered', SEED_DELIVERED));
    assert.equal(jobAtAttempt(stateOf([...BASE, domain('p.example.com', 'P', true)]), j), j);
  });

  it('given a job redacted at routing and redaction turned off since, when attempted, then it stays redacted (the original is not carried)', () => {
    const redacted = redactEventData('opened', SEED_OPENED);
    const out = jobAtAttempt(stateOf(BASE), job('p.example.com', redacted, { webhook: 'opened' }));
    assert.equal(out.event_data.recipient, REDACTED);
    assert.equal(out.event_data.ip, REDACTED);
  });

  it('given a job for a domain the view no longer holds, when attempted, then its data is redacted (fails closed)', () => {
    const out = jobAtAttempt(stateOf(BASE), job('deleted.example.com', SEED_DELIVERED));
    expectEqual(out.event_data, redactEventData('delivered', SEED_DELIVERED));
  });
});

describe('prepareDelivery, under the policy in force at the attempt', () => {
  it('given redaction off, when prepared, then the body carries the event data as the job has it', () => {
    const prepared = prepareDelivery(
      stateOf(BASE),
      ...jobParts(job('s.example.com', SEED_DELIVERED)),
      NOW_MS,
      TOKEN,
    );
    assert.ok(prepared.ok);
    expectEqual(eventDataOfBody(prepared.body.toString()), SEED_DELIVERED);
  });

  it('given a retry routed in clear and redaction turned on since (primary account), when prepared, then the signed body is redacted', () => {
    const state = stateOf([...BASE, account('P', null, true)]);
    const prepared = prepareDelivery(state, ...jobParts(job('s.example.com', SEED_DELIVERED)), NOW_MS, TOKEN);
    assert.ok(prepared.ok);
    const data = eventDataOfBody(prepared.body.toString());
    expectEqual(data, redactEventData('delivered', SEED_DELIVERED));
    assert.equal(data.recipient, REDACTED);
    assert.ok(
      !prepared.body.includes(String(SEED_DELIVERED.recipient)),
      'the address is nowhere in the body',
    );
  });

  it('given a resend in clear and redaction turned on for the domain since, when prepared, then the signed body is redacted', () => {
    const state = stateOf([...BASE, domain('p.example.com', 'P', true)]);
    const resend = job('p.example.com', SEED_OPENED, { webhook: 'opened', trigger: 'manual', attempt: 3 });
    const prepared = prepareDelivery(state, ...jobParts(resend), NOW_MS, TOKEN);
    assert.ok(prepared.ok);
    expectEqual(eventDataOfBody(prepared.body.toString()), redactEventData('opened', SEED_OPENED));
  });

  it('given a job already redacted and redaction on, when prepared, then the body is the same as from the untouched job (idempotent)', () => {
    const state = stateOf([...BASE, account('P', null, true)]);
    const redacted = job('p.example.com', redactEventData('delivered', SEED_DELIVERED));
    const fromClear = prepareDelivery(
      state,
      ...jobParts(job('p.example.com', SEED_DELIVERED)),
      NOW_MS,
      TOKEN,
    );
    const fromRedacted = prepareDelivery(state, ...jobParts(redacted), NOW_MS, TOKEN);
    assert.ok(fromClear.ok && fromRedacted.ok);
    assert.equal(fromRedacted.body, fromClear.body);
  });
});
