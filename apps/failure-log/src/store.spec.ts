import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { isRowError } from './store';

describe('isRowError', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['a lone surrogate in JSON (22P02)', { code: '22P02' }, true],
    ['an untranslatable character (22P05)', { code: '22P05' }, true],
    ['an integer out of range (22003)', { code: '22003' }, true],
    ['a check constraint (23514)', { code: '23514' }, true],
    ['an index entry too large (54000)', { code: '54000' }, true],
    ['a connection failure (08006)', { code: '08006' }, false],
    ['the server shutting down (57P01)', { code: '57P01' }, false],
    ['the server starting up (57P03)', { code: '57P03' }, false],
    ['too many connections (53300)', { code: '53300' }, false],
    ['a deadlock (40P01)', { code: '40P01' }, false],
    ['a refused connection (ECONNREFUSED)', { code: 'ECONNREFUSED' }, false],
    ['a broken pipe (EPIPE)', { code: 'EPIPE' }, false],
    ['a pool timeout (no code)', new Error('timeout exceeded when trying to connect'), false],
    ['nothing', null, false],
  ];
  for (const [name, err, expected] of cases) {
    it(`given ${name}, then ${expected ? 'the rows are at fault' : 'the database is: wait and retry'}`, () => {
      assert.equal(isRowError(err), expected);
    });
  }
});
