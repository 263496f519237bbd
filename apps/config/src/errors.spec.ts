import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ApiErrorCode, databaseError } from './errors';

describe('databaseError', () => {
  const cases: Array<[string, unknown, ApiErrorCode | null]> = [
    [
      'a NUL byte in text (22021)',
      { code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' },
      ApiErrorCode.BadRequest,
    ],
    ['a number out of range (22003)', { code: '22003' }, ApiErrorCode.BadRequest],
    ['a CHECK constraint', { code: '23514', message: 'violates check constraint' }, ApiErrorCode.BadRequest],
    [
      'a trigger of ours',
      { code: 'P0001', message: 'hookpost: webhook x already has 3 URLs' },
      ApiErrorCode.BadRequest,
    ],
    ['a unique violation', { code: '23505' }, ApiErrorCode.Conflict],
    ['the database down', { message: 'connect ECONNREFUSED 127.0.0.1:5432' }, ApiErrorCode.Unavailable],
    [
      'the server shutting down under a statement (57P01)',
      { code: '57P01', message: 'terminating connection due to administrator command' },
      ApiErrorCode.Unavailable,
    ],
    ['a connection failure (08006)', { code: '08006' }, ApiErrorCode.Unavailable],
    ['too many connections (53300)', { code: '53300' }, ApiErrorCode.Unavailable],
    ['anything else', new Error('boom'), null],
  ];
  for (const [name, error, code] of cases) {
    it(`given ${name}, then ${code ?? 'it is not a database error (500)'}`, () => {
      assert.equal(databaseError(error)?.code ?? null, code);
    });
  }
  it('given our trigger, then its own words reach the caller without the prefix', () => {
    assert.equal(
      databaseError({ code: 'P0001', message: 'hookpost: webhook x already has 3 URLs' })?.message,
      'webhook x already has 3 URLs',
    );
  });
});
