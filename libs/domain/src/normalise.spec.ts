import { describe, it } from '@jest/globals';
import { expectEqual } from './testing/expect-equal';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { webhookEventSchema } from '@hookpost/contracts';
import {
  MAX_MAIL_EVENT_BYTES,
  MAX_NESTING_DEPTH,
  nestedDeeperThan,
  normaliseMailEvent,
  webhookNameOf,
  type NormaliseResult,
} from './normalise';
import {
  SEED_CASES,
  SEED_DELIVERED,
  SEED_PERMANENT_FAIL,
  seedBytes,
  type JsonObject,
} from './testing/seed-events';

const RECEIVED_AT = 1770146800123;

/** A copy of `base` with the value at `path` replaced, or removed when `value` is `undefined`. */
function edited(base: JsonObject, path: readonly string[], value: unknown): JsonObject {
  const copy = structuredClone(base);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function reasonOf(result: NormaliseResult): string {
  assert.equal(result.ok, false, 'expected the event to be rejected');
  return result.ok ? '' : result.reason;
}

describe('normaliseMailEvent', () => {
  describe('given each seed payload of 004', () => {
    for (const { webhook, data } of SEED_CASES) {
      it(`when the ${data.event}${data.severity ? ` (${String(data.severity)})` : ''} event is normalised, then it becomes "${webhook}" with its fields and event-data intact`, () => {
        const result = normaliseMailEvent(seedBytes(data), RECEIVED_AT);

        assert.ok(result.ok, `rejected: ${result.ok ? '' : result.reason}`);
        const headers = (data.message as { headers: Record<string, unknown> }).headers;
        expectEqual(result.event, {
          event_id: data.id,
          webhook,
          domain: 'sample.mailgun.com',
          message_id: headers['message-id'],
          timestamp: data.timestamp,
          received_at: RECEIVED_AT,
          redacted: false,
          event_data: data,
        });
        assert.doesNotThrow(() => webhookEventSchema.parse(result.event));
      });
    }
  });

  it('given a failed event with severity "permanent", when normalised, then the webhook is permanent_fail', () => {
    const result = normaliseMailEvent(seedBytes(SEED_PERMANENT_FAIL), RECEIVED_AT);
    assert.equal(result.ok && result.event.webhook, 'permanent_fail');
  });

  it('given the permanent failure with severity "temporary", when normalised, then the webhook is temporary_fail', () => {
    const data = edited(SEED_PERMANENT_FAIL, ['severity'], 'temporary');
    const result = normaliseMailEvent(seedBytes(data), RECEIVED_AT);
    assert.equal(result.ok && result.event.webhook, 'temporary_fail');
  });

  it('given a delivered event carrying "severity": null, when normalised, then it is accepted as delivered', () => {
    const result = normaliseMailEvent(seedBytes(edited(SEED_DELIVERED, ['severity'], null)), RECEIVED_AT);
    assert.equal(result.ok && result.event.webhook, 'delivered');
  });

  it('given unknown additive fields at any depth, when normalised, then they are kept as they came', () => {
    let data = edited(SEED_DELIVERED, ['x-new-field'], { nested: [1, 'two', null], flag: true });
    data = edited(data, ['delivery-status', 'x-added'], 'later');
    const result = normaliseMailEvent(seedBytes(data), RECEIVED_AT);

    assert.ok(result.ok);
    expectEqual(result.event.event_data['x-new-field'], { nested: [1, 'two', null], flag: true });
    assert.equal((result.event.event_data['delivery-status'] as JsonObject)['x-added'], 'later');
    expectEqual(result.event.event_data, data);
  });

  it('given a domain name in mixed case, when normalised, then the domain is lower-cased but event-data keeps the original', () => {
    const data = edited(SEED_DELIVERED, ['domain', 'name'], 'Sample.MailGun.COM');
    const result = normaliseMailEvent(seedBytes(data), RECEIVED_AT);

    assert.ok(result.ok);
    assert.equal(result.event.domain, 'sample.mailgun.com');
    expectEqual(result.event.event_data.domain, { name: 'Sample.MailGun.COM' });
  });

  it('given a valid event padded to exactly 1 MiB, when normalised, then it is accepted', () => {
    const json = JSON.stringify(SEED_DELIVERED);
    const raw = Buffer.from(json + ' '.repeat(MAX_MAIL_EVENT_BYTES - Buffer.byteLength(json)));
    assert.equal(raw.length, MAX_MAIL_EVENT_BYTES);
    assert.equal(normaliseMailEvent(raw, RECEIVED_AT).ok, true);
  });

  it('given user-variables nested so that the event is exactly MAX_NESTING_DEPTH levels deep, when normalised, then it is accepted', () => {
    // The event object is level 1, so user-variables may hold MAX_NESTING_DEPTH - 1 levels.
    const nested = JSON.parse(`${'['.repeat(MAX_NESTING_DEPTH - 1)}${']'.repeat(MAX_NESTING_DEPTH - 1)}`);
    const result = normaliseMailEvent(seedBytes(edited(SEED_DELIVERED, ['user-variables'], nested)), 1);
    assert.equal(result.ok, true);
  });

  it('given one level more, when normalised, then it is rejected for its nesting', () => {
    const nested = JSON.parse(`${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}`);
    const result = normaliseMailEvent(seedBytes(edited(SEED_DELIVERED, ['user-variables'], nested)), 1);
    assert.equal(reasonOf(result), `nested deeper than ${MAX_NESTING_DEPTH} levels`);
  });

  it('given a valid event nested 200 000 levels deep (which JSON.stringify cannot write back), when normalised, then it is rejected without throwing', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const raw = Buffer.from(
      JSON.stringify(SEED_DELIVERED).replace('"user-variables":[]', `"user-variables":${deep}`),
    );
    assert.ok(raw.length > 400_000 && raw.length < MAX_MAIL_EVENT_BYTES);
    assert.match(reasonOf(normaliseMailEvent(raw, RECEIVED_AT)), /^nested deeper than/);
  });

  describe('given input that is not a valid event, when normalised, then it is rejected with a reason', () => {
    const cases: Array<{ name: string; raw: Buffer | null; reason: RegExp }> = [
      { name: 'a null value', raw: null, reason: /^empty message$/ },
      { name: 'an empty value', raw: Buffer.alloc(0), reason: /^empty message$/ },
      {
        name: 'one byte more than 1 MiB',
        raw: Buffer.alloc(MAX_MAIL_EVENT_BYTES + 1, 0x20),
        reason: new RegExp(
          `^message is ${MAX_MAIL_EVENT_BYTES + 1} bytes, more than ${MAX_MAIL_EVENT_BYTES}$`,
        ),
      },
      { name: 'text that is not JSON', raw: Buffer.from('event=delivered'), reason: /^not JSON: / },
      { name: 'truncated JSON', raw: Buffer.from('{"event":"delivered",'), reason: /^not JSON: / },
      {
        name: 'a missing event',
        raw: seedBytes(edited(SEED_DELIVERED, ['event'], undefined)),
        reason: /^invalid event: .*\bevent: /,
      },
      {
        name: 'a numeric event',
        raw: seedBytes(edited(SEED_DELIVERED, ['event'], 7)),
        reason: /^invalid event: .*\bevent: /,
      },
      {
        name: 'an empty event',
        raw: seedBytes(edited(SEED_DELIVERED, ['event'], '')),
        reason: /^invalid event: .*\bevent: /,
      },
      {
        name: 'a missing timestamp',
        raw: seedBytes(edited(SEED_DELIVERED, ['timestamp'], undefined)),
        reason: /^invalid event: .*\btimestamp: /,
      },
      {
        name: 'a timestamp as a string',
        raw: seedBytes(edited(SEED_DELIVERED, ['timestamp'], '1770146431.6585283')),
        reason: /^invalid event: .*\btimestamp: /,
      },
      {
        name: 'a negative timestamp',
        raw: seedBytes(edited(SEED_DELIVERED, ['timestamp'], -1)),
        reason: /^invalid event: .*\btimestamp: /,
      },
      {
        name: 'a zero timestamp',
        raw: seedBytes(edited(SEED_DELIVERED, ['timestamp'], 0)),
        reason: /^invalid event: .*\btimestamp: /,
      },
      {
        name: 'a missing domain',
        raw: seedBytes(edited(SEED_DELIVERED, ['domain'], undefined)),
        reason: /^invalid event: .*\bdomain: /,
      },
      {
        name: 'a domain given as a string',
        raw: seedBytes(edited(SEED_DELIVERED, ['domain'], 'sample.mailgun.com')),
        reason: /^invalid event: .*\bdomain: /,
      },
      {
        name: 'a missing domain.name',
        raw: seedBytes(edited(SEED_DELIVERED, ['domain', 'name'], undefined)),
        reason: /^invalid event: .*\bdomain\.name: /,
      },
      {
        name: 'a numeric domain.name',
        raw: seedBytes(edited(SEED_DELIVERED, ['domain', 'name'], 42)),
        reason: /^invalid event: .*\bdomain\.name: /,
      },
      {
        name: 'an empty domain.name',
        raw: seedBytes(edited(SEED_DELIVERED, ['domain', 'name'], '')),
        reason: /^invalid event: .*\bdomain\.name: /,
      },
      {
        name: 'a missing message-id',
        raw: seedBytes(edited(SEED_DELIVERED, ['message', 'headers', 'message-id'], undefined)),
        reason: /^invalid event: .*\bmessage\.headers\.message-id: /,
      },
      {
        name: 'a null message-id',
        raw: seedBytes(edited(SEED_DELIVERED, ['message', 'headers', 'message-id'], null)),
        reason: /^invalid event: .*\bmessage\.headers\.message-id: /,
      },
      {
        name: 'a missing message',
        raw: seedBytes(edited(SEED_DELIVERED, ['message'], undefined)),
        reason: /^invalid event: .*\bmessage: /,
      },
      {
        name: 'a missing id',
        raw: seedBytes(edited(SEED_DELIVERED, ['id'], undefined)),
        reason: /^invalid event: .*\bid: /,
      },
      {
        name: 'a numeric id',
        raw: seedBytes(edited(SEED_DELIVERED, ['id'], 12345)),
        reason: /^invalid event: .*\bid: /,
      },
      {
        name: 'an empty id',
        raw: seedBytes(edited(SEED_DELIVERED, ['id'], '')),
        reason: /^invalid event: .*\bid: /,
      },
      {
        name: 'an unknown event name',
        raw: seedBytes(edited(SEED_DELIVERED, ['event'], 'stored')),
        reason: /^unknown event name "stored"$/,
      },
      {
        name: 'a webhook name instead of a mail event name',
        raw: seedBytes(edited(SEED_DELIVERED, ['event'], 'permanent_fail')),
        reason: /^unknown event name "permanent_fail"$/,
      },
      {
        name: 'a failed event without severity',
        raw: seedBytes(edited(SEED_PERMANENT_FAIL, ['severity'], undefined)),
        reason: /^failed event needs severity "permanent" or "temporary", got undefined$/,
      },
      {
        name: 'a failed event with an unknown severity',
        raw: seedBytes(edited(SEED_PERMANENT_FAIL, ['severity'], 'soft')),
        reason: /^failed event needs severity "permanent" or "temporary", got "soft"$/,
      },
    ];
    for (const { name, raw, reason } of cases) {
      it(`given ${name}`, () => {
        assert.match(reasonOf(normaliseMailEvent(raw, RECEIVED_AT)), reason);
      });
    }
  });

  describe('given garbage, when normalised, then it never throws and is rejected', () => {
    const garbage: Array<[string, Buffer]> = [
      ['random bytes', randomBytes(512)],
      ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0xc3])],
      ['a NUL byte', Buffer.from([0x00])],
      ['JSON null', Buffer.from('null')],
      ['a JSON array', Buffer.from('[1,2,3]')],
      ['an array of events', Buffer.from(JSON.stringify([SEED_DELIVERED]))],
      ['a JSON number', Buffer.from('42')],
      ['a JSON string', Buffer.from('"delivered"')],
      ['a JSON boolean', Buffer.from('true')],
      ['an empty object', Buffer.from('{}')],
      ['deeply nested arrays', Buffer.from('['.repeat(50_000) + ']'.repeat(50_000))],
      ['a __proto__ key', Buffer.from('{"__proto__":{"event":"delivered"},"id":"x"}')],
    ];
    for (const [name, raw] of garbage) {
      it(`given ${name}`, () => {
        let result: NormaliseResult | undefined;
        assert.doesNotThrow(() => {
          result = normaliseMailEvent(raw, RECEIVED_AT);
        });
        assert.ok(result);
        assert.ok(reasonOf(result).length > 0);
      });
    }
  });
});

describe('webhookNameOf', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['accepted', undefined, 'accepted'],
    ['delivered', undefined, 'delivered'],
    ['opened', undefined, 'opened'],
    ['clicked', undefined, 'clicked'],
    ['unsubscribed', undefined, 'unsubscribed'],
    ['complained', undefined, 'complained'],
    ['failed', 'permanent', 'permanent_fail'],
    ['failed', 'temporary', 'temporary_fail'],
    ['delivered', 'permanent', 'delivered'],
  ];
  for (const [event, severity, expected] of cases) {
    it(`given event "${event}" and severity ${String(severity)}, when resolved, then the webhook is "${expected}"`, () => {
      expectEqual(webhookNameOf(event, severity), { ok: true, name: expected });
    });
  }

  it('given event "Delivered" in another case, when resolved, then it is an unknown name', () => {
    expectEqual(webhookNameOf('Delivered', undefined), {
      ok: false,
      reason: 'unknown event name "Delivered"',
    });
  });
});

describe('nestedDeeperThan', () => {
  it('given scalars, then their depth is 0', () => {
    for (const value of [null, 1, 'x', true]) assert.equal(nestedDeeperThan(value, 0), false);
  });

  it('given an object of depth 3 (objects and arrays mixed), then it is deeper than 2 but not than 3', () => {
    const value = { a: 1, b: [{ c: 'x' }], d: {} };
    assert.equal(nestedDeeperThan(value, 2), true);
    assert.equal(nestedDeeperThan(value, 3), false);
  });

  it('given the deep branch last among wide shallow ones, then it is found', () => {
    const value = { wide: Array.from({ length: 1000 }, (_, i) => ({ i })), deep: { a: { b: { c: {} } } } };
    assert.equal(nestedDeeperThan(value, 4), true);
    assert.equal(nestedDeeperThan(value, 5), false);
  });
});
