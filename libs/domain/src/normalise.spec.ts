import { describe, it } from '@jest/globals';
import { expectEqual } from './testing/expect-equal';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { webhookEventSchema } from '@hookpost/contracts';
import {
  MAX_DOMAIN_NAME_CHARS,
  MAX_EVENT_ID_CHARS,
  MAX_MAIL_EVENT_BYTES,
  MAX_MESSAGE_ID_CHARS,
  MAX_NESTING_DEPTH,
  nestedDeeperThan,
  normaliseMailEvent,
  webhookNameOf,
  wellFormed,
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

describe('normaliseMailEvent: well-formed strings, capped fields, the event as written again', () => {
  /** The seed's delivered event as JSON text with `@@name@@` placeholders replaced by raw JSON text. */
  function text(edit: (e: JsonObject) => void, raw: Record<string, string> = {}): Buffer {
    const event = structuredClone(SEED_DELIVERED);
    edit(event);
    let json = JSON.stringify(event);
    for (const [name, value] of Object.entries(raw)) json = json.replace(`"@@${name}@@"`, value);
    return Buffer.from(json);
  }

  it('given lone surrogates (\\ud800 escapes) in a value, a key, an array and the message-id, when normalised, then each becomes U+FFFD and the event is written well-formed', () => {
    const raw = text(
      (e) => {
        e['x-subject'] = '@@subject@@';
        e['x-list'] = ['@@item@@', 1];
        e['@@key@@'] = 'k';
        (e.message as { headers: Record<string, unknown> }).headers['message-id'] = '@@mid@@';
      },
      {
        subject: '"a\\ud800b"',
        item: '"\\udfff"',
        key: '"x-\\udc00"',
        mid: '"\\ud83d@example.com"',
      },
    );
    const result = normaliseMailEvent(raw, RECEIVED_AT);

    assert.ok(result.ok, result.ok ? '' : result.reason);
    const data = result.event.event_data as Record<string, unknown>;
    expectEqual(
      [data['x-subject'], data['x-list'], data['x-\ufffd'], result.event.message_id],
      ['a\ufffdb', ['\ufffd', 1], 'k', '\ufffd@example.com'],
    );
    const written = result.eventDataJson.toString('utf8');
    assert.doesNotMatch(written, /\\u[dD][89a-fA-F]/);
    expectEqual(JSON.parse(written), data);
  });

  it('given a well-formed surrogate pair escape and a literal "\\\\ud800" text, when normalised, then both are kept as they are', () => {
    const raw = text((e) => (e['x-emoji'] = '@@emoji@@'), { emoji: '["\\ud83d\\ude00", "\\\\ud800"]' });
    const result = normaliseMailEvent(raw, RECEIVED_AT);

    assert.ok(result.ok);
    expectEqual((result.event.event_data as Record<string, unknown>)['x-emoji'], ['😀', '\\ud800']);
  });

  const caps: Array<[string, number, (e: JsonObject, v: string) => void]> = [
    ['id', MAX_EVENT_ID_CHARS, (e, v) => (e.id = v)],
    ['domain.name', MAX_DOMAIN_NAME_CHARS, (e, v) => (e.domain = { name: v })],
    [
      'message.headers.message-id',
      MAX_MESSAGE_ID_CHARS,
      (e, v) => ((e.message as { headers: Record<string, unknown> }).headers['message-id'] = v),
    ],
  ];
  for (const [field, max, set] of caps) {
    it(`given ${field} of exactly ${max} characters, when normalised, then it is accepted whole`, () => {
      const value = 'a'.repeat(max);
      const result = normaliseMailEvent(
        text((e) => set(e, value)),
        RECEIVED_AT,
      );
      assert.ok(result.ok, result.ok ? '' : result.reason);
    });

    it(`given ${field} of ${max + 1} characters, when normalised, then it is rejected (never cut) with the reason`, () => {
      const result = normaliseMailEvent(
        text((e) => set(e, 'a'.repeat(max + 1))),
        RECEIVED_AT,
      );
      assert.equal(reasonOf(result), `${field} is ${max + 1} characters, more than ${max}`);
    });
  }

  it('given numbers in every JSON form, when normalised, then the event-data written again has the same numbers', () => {
    const raw = text((e) => (e['x-numbers'] = '@@n@@'), { n: '[1e20,1e-7,0.1e1,-0,1E+2,12.50]' });
    const result = normaliseMailEvent(raw, RECEIVED_AT);

    assert.ok(result.ok);
    expectEqual(JSON.parse(result.eventDataJson.toString())['x-numbers'], [1e20, 1e-7, 1, 0, 100, 12.5]);
  });

  it('given an event under 1 MiB whose 1e20 numbers make it 4 MB when written again, when normalised, then it is rejected with both sizes', () => {
    const raw = text((e) => (e['x-numbers'] = '@@n@@'), { n: `[${Array(200_000).fill('1e20').join(',')}]` });
    assert.ok(raw.length < MAX_MAIL_EVENT_BYTES);

    assert.match(
      reasonOf(normaliseMailEvent(raw, RECEIVED_AT)),
      new RegExp(
        `^event is \\d+ bytes as written again \\(from ${raw.length}: .*more than ${MAX_MAIL_EVENT_BYTES}$`,
      ),
    );
  });

  it('given invalid UTF-8 that triples when replaced by U+FFFD past 1 MiB, when normalised, then it is rejected; a few invalid bytes are replaced and accepted', () => {
    const withBytes = (n: number) => {
      const [head, tail] = text((e) => (e['x-latin1'] = '@@b@@'))
        .toString()
        .split('"@@b@@"');
      return Buffer.concat([Buffer.from(`${head}"`), Buffer.alloc(n, 0xe9), Buffer.from(`"${tail}`)]);
    };
    assert.match(reasonOf(normaliseMailEvent(withBytes(400_000), RECEIVED_AT)), /as written again/);

    const few = normaliseMailEvent(withBytes(3), RECEIVED_AT);
    assert.ok(few.ok);
    assert.equal((few.event.event_data as Record<string, unknown>)['x-latin1'], '\ufffd\ufffd\ufffd');
  });

  it('given an accepted event, then eventDataJson is its event-data as JSON', () => {
    const result = normaliseMailEvent(seedBytes(SEED_DELIVERED), RECEIVED_AT);

    assert.ok(result.ok);
    assert.equal(result.eventDataJson.toString(), JSON.stringify(SEED_DELIVERED));
  });
});

describe('wellFormed', () => {
  it('given scalars and a well-formed tree, then it is returned unchanged', () => {
    const tree = { a: ['x', 1, null, { b: 'ü😀' }], c: true };
    expectEqual(wellFormed(structuredClone(tree)), tree);
    assert.equal(wellFormed('\ud800'), '\ufffd');
    assert.equal(wellFormed(5), 5);
  });

  it('given lone surrogates deep in arrays and keys, then every one becomes U+FFFD', () => {
    expectEqual(wellFormed({ '\udc00k': [[{ v: 'a\ud800' }]], ok: '\ud83d\ude00' }), {
      ok: '\ud83d\ude00',
      '\ufffdk': [[{ v: 'a\ufffd' }]],
    });
  });
});
