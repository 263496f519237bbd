import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { classify, MAX_REASON_BYTES, truncate, type DeliveryResult } from './classify';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('classify', () => {
  describe('given a 2xx response, when classified, then it is delivered with no reason', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      it(`given HTTP ${status}`, () => {
        assert.deepEqual(classify({ kind: 'response', status, body: 'ok' }), {
          outcome: 'delivered',
          httpStatus: status,
          errorClass: null,
          reason: null,
        });
      });
    }
  });

  it('given HTTP 406, when classified, then it is rejected (never retried) with the body as reason', () => {
    assert.deepEqual(classify({ kind: 'response', status: 406, body: 'not acceptable' }), {
      outcome: 'rejected',
      httpStatus: 406,
      errorClass: 'http_status',
      reason: 'HTTP 406: not acceptable',
    });
  });

  describe('given any other status, when classified, then it is failed (retryable) with the status as reason', () => {
    for (const status of [
      100, 199, 300, 301, 302, 304, 400, 401, 403, 404, 405, 407, 408, 410, 429, 500, 502, 503, 504, 599,
    ]) {
      it(`given HTTP ${status}`, () => {
        assert.deepEqual(classify({ kind: 'response', status, body: 'nope' }), {
          outcome: 'failed',
          httpStatus: status,
          errorClass: 'http_status',
          reason: `HTTP ${status}: nope`,
        });
      });
    }
  });

  it('given a failed response with an empty body, when classified, then the reason is just the status', () => {
    assert.equal(classify({ kind: 'response', status: 503, body: '' }).reason, 'HTTP 503');
  });

  describe('given an error instead of a response, when classified, then it is failed with its class and message', () => {
    const errors: Array<Extract<DeliveryResult, { kind: 'error' }>> = [
      { kind: 'error', errorClass: 'timeout', message: 'no response within 10000 ms' },
      { kind: 'error', errorClass: 'connection', message: 'ECONNREFUSED 203.0.113.7:443' },
      { kind: 'error', errorClass: 'dns', message: 'ENOTFOUND hooks.example.net' },
      { kind: 'error', errorClass: 'destination_refused', message: '10.0.0.5 is a private address' },
      { kind: 'error', errorClass: 'invalid_url', message: 'Invalid URL' },
      { kind: 'error', errorClass: 'no_signing_key', message: 'no account configured for domain x' },
    ];
    for (const error of errors) {
      it(`given a ${error.errorClass} error`, () => {
        assert.deepEqual(classify(error), {
          outcome: 'failed',
          httpStatus: null,
          errorClass: error.errorClass,
          reason: error.message,
        });
      });
    }
  });

  it('given a failed response with a 5000-byte body, when classified, then the reason is cut to 1024 bytes', () => {
    const reason = classify({ kind: 'response', status: 500, body: 'x'.repeat(5000) }).reason ?? '';
    assert.equal(bytes(reason), MAX_REASON_BYTES);
    assert.equal(reason, `HTTP 500: ${'x'.repeat(MAX_REASON_BYTES - 'HTTP 500: '.length)}`);
  });

  it('given an error with a long multibyte message, when classified, then the reason is cut on a character boundary', () => {
    const message = 'Zeitüberschreitung – '.repeat(200);
    const reason = classify({ kind: 'error', errorClass: 'timeout', message }).reason ?? '';
    assert.ok(bytes(reason) <= MAX_REASON_BYTES);
    assert.ok(bytes(reason) > MAX_REASON_BYTES - 4);
    assert.ok(message.startsWith(reason));
    assert.ok(!reason.includes('\uFFFD'));
  });
});

describe('truncate', () => {
  it('given text within the limit, then it is returned unchanged', () => {
    assert.equal(truncate('short'), 'short');
    const exact = 'é'.repeat(MAX_REASON_BYTES / 2);
    assert.equal(bytes(exact), MAX_REASON_BYTES);
    assert.equal(truncate(exact), exact);
  });

  it('given one byte too many, then the last character goes', () => {
    assert.equal(truncate('a'.repeat(MAX_REASON_BYTES + 1)), 'a'.repeat(MAX_REASON_BYTES));
  });

  describe('given a multibyte character across the 1024-byte boundary, then the cut falls before it', () => {
    const chars: Array<[string, number]> = [
      ['é', 2],
      ['€', 3],
      ['😀', 4],
    ];
    for (const [char, width] of chars) {
      for (let pad = MAX_REASON_BYTES - width; pad <= MAX_REASON_BYTES; pad++) {
        it(`given ${pad} ASCII bytes then "${char}" (${width} bytes)`, () => {
          const text = 'a'.repeat(pad) + char.repeat(3);
          const out = truncate(text);
          const fits = Math.floor((MAX_REASON_BYTES - pad) / width);

          assert.equal(out, 'a'.repeat(pad) + char.repeat(fits));
          assert.ok(bytes(out) <= MAX_REASON_BYTES);
          assert.ok(!out.includes('\uFFFD'));
        });
      }
    }
  });

  it('given a custom limit, then it is honoured', () => {
    assert.equal(truncate('€€€', 7), '€€');
    assert.equal(truncate('abc', 0), '');
  });
});
