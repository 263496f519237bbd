import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { expectEqual } from './testing/expect-equal';
import {
  accountWebhookConflict,
  addUrlToTypes,
  parseEventTypes,
  removeUrl,
  setUrlTypes,
  type UrlsByType,
} from './webhook-sets';

const A = 'https://a.example.com/hook';
const B = 'https://b.example.com/hook';
const C = 'https://c.example.com/hook';
const D = 'https://d.example.com/hook';

describe('parseEventTypes', () => {
  it('given repeated types with an alias and a duplicate, then they are resolved and deduplicated', () => {
    expectEqual(parseEventTypes(['delivered', 'unsubscribe', 'delivered']), {
      ok: true,
      value: ['delivered', 'unsubscribed'],
    });
  });
  it('given none, then event_types is required', () => {
    expectEqual(parseEventTypes([]), { ok: false, message: 'event_types is required' });
  });
  it('given an unknown type, then it is named', () => {
    expectEqual(parseEventTypes(['opened', 'bounced']), {
      ok: false,
      message: 'Invalid event type: bounced',
    });
  });
});

describe('addUrlToTypes (v4 POST)', () => {
  it('given a new URL, then it is appended to each type, other types untouched', () => {
    const current: UrlsByType = { delivered: [A], opened: [B] };
    expectEqual(addUrlToTypes(current, C, ['delivered', 'clicked']), {
      ok: true,
      value: { delivered: [A, C], opened: [B], clicked: [C] },
    });
  });
  it('given a URL already on a type, then that type keeps one copy in its place', () => {
    expectEqual(addUrlToTypes({ delivered: [A, B] }, A, ['delivered']), {
      ok: true,
      value: { delivered: [A, B] },
    });
  });
  it('given a type that already has 3 URLs, then a 4th is refused and the type named', () => {
    const result = addUrlToTypes({ delivered: [A, B, C] }, D, ['opened', 'delivered']);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.message : '', /delivered already has 3 URLs/);
  });
  it('given the input, then it is not mutated', () => {
    const current: UrlsByType = { delivered: [A] };
    addUrlToTypes(current, B, ['delivered']);
    expectEqual(current, { delivered: [A] });
  });
});

describe('setUrlTypes (v4 PUT)', () => {
  it('given a URL, then it fires for exactly the given types; emptied types disappear', () => {
    const current: UrlsByType = { delivered: [A, B], opened: [A], clicked: [B] };
    expectEqual(setUrlTypes(current, A, ['delivered', 'complained']), {
      ok: true,
      value: { delivered: [A, B], clicked: [B], complained: [A] },
    });
  });
  it('given a URL no type has, then it is refused', () => {
    expectEqual(setUrlTypes({ delivered: [A] }, B, ['opened']), {
      ok: false,
      message: `No webhook with URL ${B}`,
    });
  });
  it('given a move onto a full type, then it is refused', () => {
    const result = setUrlTypes({ delivered: [A, B, C], opened: [D] }, D, ['delivered']);
    assert.equal(result.ok, false);
  });
});

describe('removeUrl (v4 DELETE)', () => {
  it('given a URL on several types, then it is removed from all of them', () => {
    expectEqual(removeUrl({ delivered: [A, B], opened: [A] }, A), { ok: true, value: { delivered: [B] } });
  });
  it('given an unknown URL, then it is refused', () => {
    expectEqual(removeUrl({ delivered: [A] }, B), { ok: false, message: `No webhook with URL ${B}` });
  });
});

describe('accountWebhookConflict', () => {
  const existing = [
    { id: 'w1', url: A, event_types: ['delivered' as const, 'opened' as const] },
    { id: 'w2', url: B, event_types: ['delivered' as const] },
    { id: 'w3', url: C, event_types: ['delivered' as const] },
  ];
  it('given a 4th distinct URL for a type, then the limit is named', () => {
    expectEqual(accountWebhookConflict(existing, { id: 'new', url: D, event_types: ['delivered'] }), {
      kind: 'limit',
      message: 'Event type delivered already has 3 account-level URLs',
    });
  });
  it('given a new URL for a type with room, then there is no conflict', () => {
    assert.equal(accountWebhookConflict(existing, { id: 'new', url: D, event_types: ['opened'] }), null);
  });
  it('given a URL the account already has, then it is a duplicate', () => {
    assert.equal(
      accountWebhookConflict(existing, { id: 'new', url: A, event_types: ['clicked'] })?.kind,
      'duplicate',
    );
  });
  it('given an update of a webhook to types it already counts in, then it is not counted twice', () => {
    assert.equal(
      accountWebhookConflict(existing, { id: 'w3', url: C, event_types: ['delivered', 'clicked'] }),
      null,
    );
  });
});
