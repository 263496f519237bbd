import { describe, it } from '@jest/globals';
import { expectEqual } from './testing/expect-equal';
import assert from 'node:assert/strict';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@hookpost/contracts';
import { isRedacted, REDACTED, REDACTION_TABLE, redactEventData, type PiiField } from './redact';
import { SEED_CASES, SEED_EVENTS, type JsonObject } from './testing/seed-events';

/** The seed's table (004), written out independently of the code: ✔️ = replaced by [REDACTED]. */
const SEED_TABLE: Record<WebhookEventType, Record<PiiField, boolean>> = {
  accepted: { targets: true, to: true, recipient: true, ip: false },
  delivered: { targets: true, to: true, recipient: true, ip: false },
  opened: { targets: false, to: false, recipient: true, ip: true },
  clicked: { targets: false, to: false, recipient: true, ip: true },
  permanent_fail: { targets: true, to: true, recipient: true, ip: false },
  temporary_fail: { targets: true, to: true, recipient: true, ip: false },
  complained: { targets: false, to: true, recipient: true, ip: false },
  unsubscribed: { targets: false, to: true, recipient: true, ip: false },
};

const PATHS: Record<PiiField, readonly string[]> = {
  targets: ['envelope', 'targets'],
  to: ['message', 'headers', 'to'],
  recipient: ['recipient'],
  ip: ['ip'],
};

const FIELDS: readonly PiiField[] = ['targets', 'to', 'recipient', 'ip'];

/** The value at `path`, or `undefined` when any step is missing. */
function at(data: unknown, path: readonly string[]): unknown {
  let node = data;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as JsonObject)[key];
  }
  return node;
}

function has(data: unknown, path: readonly string[]): boolean {
  const parent = at(data, path.slice(0, -1));
  return typeof parent === 'object' && parent !== null && path[path.length - 1] in parent;
}

function set(data: JsonObject, path: readonly string[], value: unknown): void {
  (at(data, path.slice(0, -1)) as JsonObject)[path[path.length - 1]] = value;
}

describe('redactEventData', () => {
  it('given the seed table, then REDACTION_TABLE lists exactly its fields for all eight event types', () => {
    expectEqual(Object.keys(REDACTION_TABLE).sort(), [...WEBHOOK_EVENT_TYPES].sort());
    for (const type of WEBHOOK_EVENT_TYPES) {
      const expected = FIELDS.filter((f) => SEED_TABLE[type][f]);
      expectEqual([...REDACTION_TABLE[type]].sort(), [...expected].sort(), type);
    }
  });

  describe('given each seed payload, when redacted for its event type', () => {
    for (const { webhook, data } of SEED_CASES) {
      it(`then ${webhook} has exactly ${FIELDS.filter((f) => SEED_TABLE[webhook][f]).join(', ')} replaced, where present, and nothing else changed`, () => {
        const input = structuredClone(data);
        const expected = structuredClone(data);
        for (const field of FIELDS) {
          if (SEED_TABLE[webhook][field] && has(expected, PATHS[field]))
            set(expected, PATHS[field], REDACTED);
        }

        const out = redactEventData(webhook, input);

        expectEqual(out, expected);
        for (const field of FIELDS) {
          const present = has(data, PATHS[field]);
          if (!present) assert.equal(has(out, PATHS[field]), false, `${field} must not be added`);
          else if (SEED_TABLE[webhook][field]) assert.equal(at(out, PATHS[field]), REDACTED, field);
          else assert.equal(at(out, PATHS[field]), at(data, PATHS[field]), `${field} must stay`);
        }
      });

      it(`then ${webhook} keeps message-id, user-variables and tags untouched and the input is not mutated`, () => {
        const input = structuredClone(data);
        const out = redactEventData(webhook, input);

        expectEqual(input, data);
        assert.notEqual(out, input);
        assert.equal(
          at(out, ['message', 'headers', 'message-id']),
          at(data, ['message', 'headers', 'message-id']),
        );
        assert.ok(typeof at(out, ['message', 'headers', 'message-id']) === 'string');
        expectEqual(out['user-variables'], data['user-variables']);
        expectEqual(out.tags, data.tags);
        expectEqual(out.domain, data.domain);
        assert.equal(out.id, data.id);
      });
    }
  });

  it('given the seed payloads, then every redactable field the table names is present in at least one of them', () => {
    for (const field of FIELDS) {
      const covered = SEED_CASES.some(
        ({ webhook, data }) => SEED_TABLE[webhook][field] && has(data, PATHS[field]),
      );
      assert.ok(covered, `${field} is not exercised by the seeds`);
    }
  });

  it('given an unsubscribed event without message.headers.to, when redacted, then "to" is not added', () => {
    const out = redactEventData('unsubscribed', structuredClone(SEED_EVENTS.unsubscribed));
    assert.equal(has(out, PATHS.to), false);
    assert.equal(out.recipient, REDACTED);
    assert.equal(out.ip, SEED_EVENTS.unsubscribed.ip);
  });

  it('given a delivered event with no envelope and no headers, when redacted, then neither is created', () => {
    const input: JsonObject = { event: 'delivered', id: 'x', recipient: 'a@example.com', message: {} };
    const out = redactEventData('delivered', input);
    expectEqual(out, { event: 'delivered', id: 'x', recipient: REDACTED, message: {} });
  });

  it('given an envelope that is not an object, when redacted, then it is left as it is and nothing throws', () => {
    const input: JsonObject = { envelope: 'smtp', message: { headers: null }, recipient: 'a@example.com' };
    const out = redactEventData('accepted', input);
    expectEqual(out, { envelope: 'smtp', message: { headers: null }, recipient: REDACTED });
  });

  it('given a PII field that is null, when redacted, then it stays null (nothing to hide)', () => {
    const out = redactEventData('opened', { recipient: null, ip: '10.0.0.1' });
    expectEqual(out, { recipient: null, ip: REDACTED });
  });

  it('given a list of recipients in "to", when redacted, then the whole value is replaced', () => {
    const out = redactEventData('complained', {
      message: { headers: { to: ['a@example.com', 'b@example.com'], 'message-id': 'm@x' } },
    });
    expectEqual(out, { message: { headers: { to: REDACTED, 'message-id': 'm@x' } } });
  });

  it('given envelope.sending-ip on a delivered event, when redacted, then it is not taken for the "ip" field', () => {
    const out = redactEventData('delivered', structuredClone(SEED_EVENTS.delivered));
    assert.equal(at(out, ['envelope', 'sending-ip']), '161.38.194.10');
  });
});

describe('isRedacted', () => {
  for (const { webhook, data } of SEED_CASES) {
    it(`given the ${webhook} seed, then it is not redacted as it is, and is once redacted`, () => {
      assert.equal(isRedacted(webhook, data), false);
      assert.equal(isRedacted(webhook, redactEventData(webhook, data)), true);
    });
  }

  it('given one field of the table still holding a value, then it is not redacted', () => {
    const data = redactEventData('delivered', SEED_EVENTS.delivered);
    (data.message as JsonObject).headers = { to: 'a@example.com' };
    assert.equal(isRedacted('delivered', data), false);
  });

  it('given the fields absent or null, then it is redacted (nothing to hide)', () => {
    assert.equal(isRedacted('opened', { recipient: null, message: {} }), true);
    assert.equal(isRedacted('accepted', { envelope: 'smtp', message: { headers: null } }), true);
  });

  it('given a field the table keeps for this type, then it does not count (ip of a delivered event)', () => {
    const data = redactEventData('delivered', SEED_EVENTS.delivered);
    data.ip = '10.0.0.1';
    assert.equal(isRedacted('delivered', data), true);
  });
});
