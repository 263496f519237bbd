import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { isSubaccount, primaryIdOf } from './accounts';

describe('primaryIdOf / isSubaccount', () => {
  it('given a primary account, then it is its own primary and not a subaccount', () => {
    const primary = { id: 'acc_p', parent_id: null };
    assert.equal(primaryIdOf(primary), 'acc_p');
    assert.equal(isSubaccount(primary), false);
  });

  it('given a subaccount, then its primary is its parent', () => {
    const sub = { id: 'acc_s', parent_id: 'acc_p' };
    assert.equal(primaryIdOf(sub), 'acc_p');
    assert.equal(isSubaccount(sub), true);
  });
});
