import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { expectEqual } from './testing/expect-equal';
import {
  decodeCursor,
  encodeCursor,
  failureItem,
  neighbours,
  pageOrder,
  pageTokens,
  pagingLinks,
  parseEventFilter,
  parseFailureQuery,
  parseTime,
  type Cursor,
  type FailureQuery,
} from './failure-query';

const NOV_14_10H = Date.UTC(2025, 10, 14, 10, 0, 0);

describe('parseTime', () => {
  const ok: Array<[string, number]> = [
    ['1763114400', NOV_14_10H],
    ['1763114400.5', NOV_14_10H + 500],
    ['1763114400.123456', NOV_14_10H + 123],
    ['0', 0],
    ['Fri, 14 Nov 2025 10:00:00 +0000', NOV_14_10H],
    ['Fri, 14 Nov 2025 10:00:00 GMT', NOV_14_10H],
    ['Fri, 14 Nov 2025 10:00:00 UTC', NOV_14_10H],
    ['14 Nov 2025 10:00:00 +0000', NOV_14_10H],
    ['Fri,14 Nov 2025 10:00 +0000', NOV_14_10H],
    ['Fri, 14 Nov 2025 11:30:00 +0130', NOV_14_10H],
    ['Fri, 14 Nov 2025 05:00:00 -0500', NOV_14_10H],
    ['Fri, 14 Nov 2025 02:00:00 PST', NOV_14_10H],
    ['Fri, 14 Nov 2025 06:00:00 EDT', NOV_14_10H],
    ['  1763114400  ', NOV_14_10H],
  ];
  for (const [text, expected] of ok) {
    it(`given ${JSON.stringify(text)}, then ${new Date(expected).toISOString()}`, () => {
      assert.equal(parseTime(text), expected);
    });
  }

  const bad = [
    '',
    'yesterday',
    '2025-11-14T10:00:00Z',
    '-1763114400',
    '1763114400.',
    '1e9',
    'Fri, 31 Feb 2025 10:00:00 +0000',
    'Fri, 14 Nov 2025 24:00:00 +0000',
    'Fri, 14 Nov 2025 10:60:00 +0000',
    'Fri, 14 Nov 2025 10:00:00 +0060',
    'Fri, 14 Nov 2025 10:00:00 XYZ',
    'Fri, 14 Foo 2025 10:00:00 +0000',
    'Fri, 14 Nov 2025 10:00:00',
  ];
  for (const text of bad) {
    it(`given ${JSON.stringify(text)}, then it is refused`, () => {
      assert.equal(parseTime(text), null);
    });
  }
});

describe('parseEventFilter', () => {
  const cases: Array<[string, string[]]> = [
    ['opened', ['opened']],
    ['unsubscribe', ['unsubscribed']],
    ['clicked OR opened', ['opened', 'clicked']],
    ['failed', ['permanent_fail', 'temporary_fail']],
    ['failed OR delivered OR permanent_fail', ['delivered', 'permanent_fail', 'temporary_fail']],
  ];
  for (const [text, expected] of cases) {
    it(`given "${text}", then ${expected.join(', ')}`, () => {
      expectEqual(parseEventFilter(text), { ok: true, value: expected });
    });
  }

  for (const text of ['bounced', 'opened or clicked', 'opened OR', '']) {
    it(`given "${text}", then a message naming event`, () => {
      const out = parseEventFilter(text);
      assert.equal(out.ok, false);
      assert.match(out.ok ? '' : out.message, /^event: unknown event type/);
    });
  }
});

describe('cursors', () => {
  const cursors: Cursor[] = [
    { kind: 'last' },
    { kind: 'older', at: { ms: 1_763_000_000_123, id: 'atm_abc' }, inclusive: false },
    { kind: 'older', at: { ms: 5, id: 'atm_x' }, inclusive: true },
    { kind: 'newer', at: { ms: 1_763_000_000_123, id: 'atm_abc' }, inclusive: false },
    { kind: 'newer', at: { ms: 0, id: 'a' }, inclusive: true },
  ];
  for (const cursor of cursors) {
    it(`given ${JSON.stringify(cursor)}, then it survives encoding as a URL-safe token`, () => {
      const token = encodeCursor(cursor);
      assert.match(token ?? '', /^[A-Za-z0-9_-]+$/);
      expectEqual(decodeCursor(token ?? ''), cursor);
    });
  }

  it('given the first page, then no token', () => {
    assert.equal(encodeCursor({ kind: 'first' }), null);
  });

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const garbage: Array<[string, string]> = [
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{{').toString('base64url')],
    ['an object', b64({ kind: 'last' })],
    ['an unknown tag', b64(['x', 1, 'a'])],
    ['a fractional time', b64(['o', 1.5, 'a'])],
    ['an empty id', b64(['o', 1, ''])],
    ['a missing id', b64(['o', 1])],
    ['too long', 'a'.repeat(1001)],
  ];
  for (const [name, token] of garbage) {
    it(`given ${name}, then it is not a cursor`, () => {
      assert.equal(decodeCursor(token), null);
    });
  }
});

describe('parseFailureQuery', () => {
  const parsed = (q: Record<string, unknown>): FailureQuery => {
    const out = parseFailureQuery(q);
    if (!out.ok) assert.fail(out.message);
    return out.value;
  };
  const refused = (q: Record<string, unknown>): string => {
    const out = parseFailureQuery(q);
    if (out.ok) assert.fail(`accepted ${JSON.stringify(q)}`);
    return out.message;
  };

  it('given nothing, then all failures, 100 a page, the first page', () => {
    expectEqual(parsed({}), {
      filters: { events: null, url: null, beginMs: null, endMs: null },
      limit: 100,
      cursor: { kind: 'first' },
      params: [['limit', '100']],
    });
  });

  it('given every filter, then each is parsed and kept as given for the links', () => {
    const page = encodeCursor({ kind: 'older', at: { ms: 9, id: 'atm_1' }, inclusive: false }) ?? '';
    expectEqual(
      parsed({
        event: 'failed',
        url: 'HTTPS://Hooks.Example.com',
        begin: '1763114400',
        end: 'Fri, 14 Nov 2025 11:00:00 +0000',
        limit: '25',
        page,
        unknown: 'ignored',
      }),
      {
        filters: {
          events: ['permanent_fail', 'temporary_fail'],
          url: 'https://hooks.example.com/',
          beginMs: NOV_14_10H,
          endMs: NOV_14_10H + 3_600_000,
        },
        limit: 25,
        cursor: { kind: 'older', at: { ms: 9, id: 'atm_1' }, inclusive: false },
        params: [
          ['event', 'failed'],
          ['url', 'HTTPS://Hooks.Example.com'],
          ['begin', '1763114400'],
          ['end', 'Fri, 14 Nov 2025 11:00:00 +0000'],
          ['limit', '25'],
        ],
      },
    );
  });

  it('given begin after end, then the same range (Mailgun walks it backwards; the log is newest first)', () => {
    const q = parsed({ begin: '200', end: '100' });
    expectEqual([q.filters.beginMs, q.filters.endMs], [100_000, 200_000]);
  });

  it('given limit 1 and 300, then accepted', () => {
    assert.equal(parsed({ limit: '1' }).limit, 1);
    assert.equal(parsed({ limit: '300' }).limit, 300);
  });

  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ limit: '0' }, /^limit: must be an integer from 1 to 300$/],
    [{ limit: '301' }, /^limit: /],
    [{ limit: '-1' }, /^limit: /],
    [{ limit: '1.5' }, /^limit: /],
    [{ limit: 'ten' }, /^limit: /],
    [{ limit: '' }, /^limit: /],
    [{ begin: 'yesterday' }, /^begin: "yesterday" is neither epoch seconds nor an RFC 2822 date/],
    [{ end: '2025-11-14' }, /^end: /],
    [{ event: 'bounced' }, /^event: unknown event type "bounced"/],
    [{ url: 'ftp://x.example' }, /^url: URL must use http or https/],
    [{ url: 'not a url' }, /^url: Invalid URL/],
    [{ page: 'garbage!' }, /^page: not a page of this list$/],
    [{ limit: ['10', '20'] }, /^limit must be given once$/],
    [{ event: { nested: 'x' } }, /^event must be a string$/],
  ];
  for (const [q, expected] of bad) {
    it(`given ${JSON.stringify(q)}, then refused: ${expected.source}`, () => {
      assert.match(refused(q), expected);
    });
  }
});

describe('pageOrder', () => {
  const at = { ms: 1, id: 'a' };
  const cases: Array<[Cursor, ReturnType<typeof pageOrder>]> = [
    [{ kind: 'first' }, { compare: null, ascending: false }],
    [{ kind: 'last' }, { compare: null, ascending: true }],
    [
      { kind: 'older', at, inclusive: false },
      { compare: '<', ascending: false },
    ],
    [
      { kind: 'older', at, inclusive: true },
      { compare: '<=', ascending: false },
    ],
    [
      { kind: 'newer', at, inclusive: false },
      { compare: '>', ascending: true },
    ],
    [
      { kind: 'newer', at, inclusive: true },
      { compare: '>=', ascending: true },
    ],
  ];
  for (const [cursor, expected] of cases) {
    it(`given ${cursor.kind}${'inclusive' in cursor && cursor.inclusive ? ' (inclusive)' : ''}, then ${JSON.stringify(expected)}`, () => {
      expectEqual(pageOrder(cursor), expected);
    });
  }
});

describe('neighbours', () => {
  const newest = { ms: 30, id: 'c' };
  const oldest = { ms: 10, id: 'a' };
  const p = { ms: 20, id: 'b' };

  it('given a page, then next is older than its last row and previous newer than its first', () => {
    expectEqual(neighbours({ kind: 'first' }, [newest, p, oldest]), {
      next: { kind: 'older', at: oldest, inclusive: false },
      previous: { kind: 'newer', at: newest, inclusive: false },
    });
  });

  it('given an empty page past the oldest row, then next stays and previous is the rows from there on', () => {
    expectEqual(neighbours({ kind: 'older', at: p, inclusive: false }, []), {
      next: { kind: 'older', at: p, inclusive: false },
      previous: { kind: 'newer', at: p, inclusive: true },
    });
  });

  it('given an empty page above the newest row, then previous stays and next is the rows from there down', () => {
    expectEqual(neighbours({ kind: 'newer', at: p, inclusive: false }, []), {
      next: { kind: 'older', at: p, inclusive: true },
      previous: { kind: 'newer', at: p, inclusive: false },
    });
  });

  it('given an empty first or last page (nothing matches), then both stay', () => {
    expectEqual(neighbours({ kind: 'first' }, []), { next: { kind: 'first' }, previous: { kind: 'first' } });
    expectEqual(neighbours({ kind: 'last' }, []), { next: { kind: 'last' }, previous: { kind: 'last' } });
  });
});

describe('pagingLinks', () => {
  it('given a page, then four full URLs with the filters, the limit and a page token (none for first)', () => {
    const query: FailureQuery = {
      filters: { events: ['opened'], url: null, beginMs: null, endMs: null },
      limit: 2,
      cursor: { kind: 'first' },
      params: [
        ['event', 'opened'],
        ['limit', '2'],
      ],
    };
    const rows = [
      { ms: 30, id: 'c' },
      { ms: 20, id: 'b' },
    ];
    const base = 'http://api.example/v3/domains/d.example/webhook-failures';
    const links = pagingLinks(base, query, pageTokens(query, rows));
    const token = (link: string) => new URL(link).searchParams.get('page');
    assert.equal(links.first, `${base}?event=opened&limit=2`);
    assert.ok(links.next.startsWith(`${base}?event=opened&limit=2&page=`));
    expectEqual(decodeCursor(token(links.next) ?? ''), {
      kind: 'older',
      at: { ms: 20, id: 'b' },
      inclusive: false,
    });
    expectEqual(decodeCursor(token(links.previous) ?? ''), {
      kind: 'newer',
      at: { ms: 30, id: 'c' },
      inclusive: false,
    });
    expectEqual(decodeCursor(token(links.last) ?? ''), { kind: 'last' });
  });
});

describe('failureItem', () => {
  it('given a row, then the answer fields, the timestamp in epoch seconds', () => {
    expectEqual(
      failureItem({
        ms: 1_763_114_400_123,
        url: 'https://h.example/x',
        reason: 'HTTP 500',
        http_status: 500,
        event: 'opened',
        event_id: 'e1',
        message_id: 'm1',
        domain: 'd.example',
        attempt: 3,
        final: false,
      }),
      {
        timestamp: 1_763_114_400.123,
        url: 'https://h.example/x',
        reason: 'HTTP 500',
        http_status: 500,
        event: 'opened',
        event_id: 'e1',
        message_id: 'm1',
        domain: 'd.example',
        attempt: 3,
        final: false,
      },
    );
  });
});
