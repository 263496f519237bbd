import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import type { FailureRow } from '@hookpost/domain';
import { MAX_EPOCH_MS } from '@hookpost/contracts';
import { FAILURE_LOG_COLUMNS, copyBytes, copyField, copyRows, isoTime, pgJson, pgString } from './pg-text';

const row = (over: Partial<FailureRow> = {}): FailureRow => ({
  attempt_id: 'att-1',
  attempted_at: Date.UTC(2026, 10, 23, 12, 0, 0, 123),
  url: 'https://hooks.example.com/h',
  reason: 'HTTP 503: down',
  http_status: 503,
  error_class: 'http_status',
  outcome: 'failed',
  event: 'permanent_fail',
  event_id: 'evt-1',
  message_id: 'm@example.com',
  domain: 'mg.example.com',
  account_id: 'sub',
  webhook_account_id: 'sub',
  attempt: 2,
  final: false,
  trigger: 'retry',
  delivery_id: 'dlv-1',
  job: null,
  ...over,
});

describe('pgJson', () => {
  it('is JSON.stringify when there is no U+0000', () => {
    const value = { a: 'x\\u0000y', b: [1, null, 'ü'] };
    assert.equal(pgJson(value), JSON.stringify(value));
  });

  it('replaces U+0000 in any string by U+FFFD, and leaves a literal backslash-u0000 as it is', () => {
    const value = { 'k\u0000': 'a\u0000b', nested: ['\u0000', '\\u0000', '\\\u0000'] };
    const text = pgJson(value);
    assert.deepEqual(JSON.parse(text), {
      'k\ufffd': 'a\ufffdb',
      nested: ['\ufffd', '\\u0000', '\\\ufffd'],
    });
  });
});

describe('pgJson: lone surrogates', () => {
  it('replaces a lone surrogate by U+FFFD, keeps a pair and a literal backslash-ud800', () => {
    const value = { reason: 'a\ud800b\udc00c', pair: '😀', literal: '\\ud800', key: ['\udfff'] };
    const text = pgJson(value);
    assert.ok(!/\\ud[89a-f]/i.test(text.replace(/\\\\/g, '')), 'no surrogate escape left');
    assert.deepEqual(JSON.parse(text), {
      reason: 'a\ufffdb\ufffdc',
      pair: '😀',
      literal: '\\ud800',
      key: ['\ufffd'],
    });
  });

  it('gives the text that COPY gets from UTF-8 encoding (U+FFFD), so the live row and a rebuilt one agree', () => {
    const reason = 'x\udc00y';
    const live = (JSON.parse(pgJson({ reason })) as { reason: string }).reason;
    assert.equal(live, new TextDecoder().decode(new TextEncoder().encode(reason)));
  });
});

describe('pgString', () => {
  it('replaces U+0000 only', () => {
    assert.equal(pgString('a\u0000b\u0000'), 'a\ufffdb\ufffd');
    assert.equal(pgString('tab\tok'), 'tab\tok');
  });
});

describe('copyField', () => {
  it("escapes COPY text's specials and writes null as \\N", () => {
    assert.equal(copyField('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField('\\N'), '\\\\N');
    assert.equal(copyField(406), '406');
    assert.equal(copyField('nul\u0000'), 'nul\ufffd');
  });
});

describe('copyRows', () => {
  it('writes one line per row: the COPY columns, then the sequence', () => {
    const job = { note: 'line\nbreak "quoted" \\ back' } as unknown as FailureRow['job'];
    const text = copyRows(
      [row(), row({ attempt_id: 'att-2', account_id: null, final: true, outcome: 'dropped', job })],
      (id) => (id === 'sub' ? 'parent' : id),
      '41',
    );
    const lines = text.split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    const first = lines[0].split('\t');
    assert.equal(first.length, FAILURE_LOG_COLUMNS.length + 1);
    const field = (cells: string[], name: (typeof FAILURE_LOG_COLUMNS)[number]) =>
      cells[FAILURE_LOG_COLUMNS.indexOf(name)];
    assert.equal(field(first, 'attempted_at'), '2026-11-23T12:00:00.123Z');
    assert.equal(field(first, 'primary_account_id'), 'parent');
    assert.equal(field(first, 'final'), 'f');
    assert.equal(field(first, 'job'), '\\N');
    assert.equal(first[FAILURE_LOG_COLUMNS.length], '41');
    const second = lines[1].split('\t');
    assert.equal(field(second, 'account_id'), '\\N');
    assert.equal(field(second, 'primary_account_id'), '\\N');
    assert.equal(field(second, 'final'), 't');
    // The job's JSON, its own backslashes doubled for COPY.
    assert.equal(field(second, 'job'), JSON.stringify(job).replace(/\\/g, '\\\\'));
  });
});

describe('copyBytes', () => {
  const primaryOf = (id: string) => (id === 'sub' ? 'parent' : id);

  it('given no rows, then no bytes', () => {
    assert.equal(copyBytes([], primaryOf, '1').length, 0);
  });

  it('given rows with text to escape, beyond ASCII, lone surrogates and long enough to outgrow the buffer, then copyRows as UTF-8', () => {
    const job = { note: 'tab\there nul\u0000 ü ✓ 😀 \ud800' } as unknown as FailureRow['job'];
    const rows = [
      row({ reason: `HTTP 500: ${'é😀\t\n\\'.repeat(2000)}` }),
      row({ attempt_id: 'att-2', final: true, outcome: 'rejected', job, reason: 'lone \udc00 half' }),
      ...Array.from({ length: 50 }, (_, i) =>
        row({ attempt_id: `att-${i + 3}`, url: `https://x/${'y'.repeat(i * 40)}` }),
      ),
    ];
    const bytes = copyBytes(rows, primaryOf, '77');
    assert.ok(bytes.equals(Buffer.from(copyRows(rows, primaryOf, '77'), 'utf8')));
    assert.equal(bytes.byteOffset, 0, 'its own ArrayBuffer, to transfer');
  });
});

describe('isoTime', () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it('given the ends of the range, minute and second edges, then what toISOString says', () => {
    const minute = Date.UTC(2026, 11, 2, 7, 59, 0, 0);
    for (const ms of [
      0,
      1,
      999,
      1000,
      59_999,
      60_000,
      minute - 1,
      minute,
      minute + 9,
      minute + 99,
      MAX_EPOCH_MS,
    ]) {
      assert.equal(isoTime(ms), iso(ms), String(ms));
    }
  });

  it('given times in and out of the minute of the call before, in any order, then what toISOString says', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 5000; i++) {
      const ms = i % 3 === 0 ? Math.floor(next() * MAX_EPOCH_MS) : base + Math.floor(next() * 180_000);
      assert.equal(isoTime(ms), iso(ms), String(ms));
    }
  });

  it('given a time outside whole milliseconds of years 1970 to 9999, then toISOString does it', () => {
    for (const ms of [-1, 1.5, MAX_EPOCH_MS + 1, -62_198_755_200_000]) assert.equal(isoTime(ms), iso(ms));
  });
});
