import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../libs/domain/src/testing/expect-equal';
import { describeFailure, INVALID_KEY, KEY_NO_LONGER_VALID, retrySeconds } from './errors';

describe('describeFailure', () => {
  const cases: Array<[string, number, unknown, boolean, string]> = [
    ['a wrong key at sign-in', 401, { message: 'Invalid private key' }, true, INVALID_KEY],
    ['a key revoked while signed in', 401, { message: 'Invalid private key' }, false, KEY_NO_LONGER_VALID],
    [
      'the rate limit',
      429,
      { message: 'Too many requests', 'retry-seconds': 42 },
      false,
      "Too many requests: the API's rate limit for this account is used up. Try again in 42 s.",
    ],
    [
      'the rate limit without retry-seconds',
      429,
      { message: 'Too many requests' },
      false,
      "Too many requests: the API's rate limit for this account is used up. Try again in a minute.",
    ],
    ['no answer', 0, null, false, 'The API could not be reached. Check the connection and try again.'],
    [
      "the API's words",
      400,
      { message: 'A webhook may have at most 3 URLs' },
      false,
      'A webhook may have at most 3 URLs',
    ],
    [
      'a 5xx without a message',
      502,
      'Bad gateway',
      false,
      'The API failed (HTTP 502). Try again in a moment.',
    ],
    ['a 4xx without a message', 404, {}, false, 'The API refused the request (HTTP 404).'],
  ];
  for (const [name, status, body, signingIn, expected] of cases) {
    it(`given ${name}, then it says so`, () => {
      expectEqual(describeFailure({ status, body }, signingIn), expected);
    });
  }
});

describe('retrySeconds', () => {
  it('reads a positive number, rounded up, and nothing else', () => {
    expectEqual(
      [{ 'retry-seconds': 1.2 }, { 'retry-seconds': 0 }, { 'retry-seconds': '5' }, null, 'x'].map(
        retrySeconds,
      ),
      [2, null, null, null, null],
    );
  });
});
