import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { attemptId, deliveryId } from './ids';

const EVENT = 'MXcc2gEpS-eN8HfkOnmK2w';
const URL_A = 'https://a.example.net/hook';
const URL_B = 'https://b.example.net/hook';

describe('deliveryId', () => {
  it('given an event id and a URL, then the id is "dlv_" and 32 hex characters', () => {
    assert.match(deliveryId(EVENT, URL_A), /^dlv_[0-9a-f]{32}$/);
  });

  it('given the same event and URL twice, then the id is the same', () => {
    assert.equal(deliveryId(EVENT, URL_A), deliveryId(EVENT, URL_A));
  });

  it('given an event id and a URL, then the id is the first 128 bits of SHA-256 over "event\\nurl" (stable across releases)', () => {
    const expected = createHash('sha256').update(`${EVENT}\n${URL_A}`).digest('hex').slice(0, 32);
    assert.equal(deliveryId(EVENT, URL_A), `dlv_${expected}`);
  });

  it('given another URL or another event, then the id differs', () => {
    const ids = new Set([
      deliveryId(EVENT, URL_A),
      deliveryId(EVENT, URL_B),
      deliveryId('q7DMpbLFRKW1QuiLC9XV4Q', URL_A),
      deliveryId(URL_A, EVENT),
    ]);
    assert.equal(ids.size, 4);
  });
});

describe('attemptId', () => {
  const delivery = deliveryId(EVENT, URL_A);

  it('given a delivery and an attempt number, then the id is "atm_" and 32 hex characters', () => {
    assert.match(attemptId(delivery, 1), /^atm_[0-9a-f]{32}$/);
  });

  it('given the same delivery and attempt twice, then the id is the same', () => {
    assert.equal(attemptId(delivery, 3), attemptId(delivery, 3));
  });

  it('given a delivery and attempt number, then the id is the first 128 bits of SHA-256 over "delivery\\nattempt"', () => {
    const expected = createHash('sha256').update(`${delivery}\n3`).digest('hex').slice(0, 32);
    assert.equal(attemptId(delivery, 3), `atm_${expected}`);
  });

  it('given attempts 1..9 of one delivery and attempt 1 of another, then all ids differ', () => {
    const ids = new Set([
      ...Array.from({ length: 9 }, (_, i) => attemptId(delivery, i + 1)),
      attemptId(deliveryId(EVENT, URL_B), 1),
    ]);
    assert.equal(ids.size, 10);
  });
});
