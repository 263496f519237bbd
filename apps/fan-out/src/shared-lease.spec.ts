import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { InFlightLease } from '@hookpost/kafka';
import { SharedLease } from './shared-lease';

/** A lease that records whether its message counts as waiting now. */
function recordingLease(): InFlightLease & { isWaiting: () => boolean } {
  let waiting = false;
  return {
    waiting: () => (waiting = true),
    running: () => (waiting = false),
    isWaiting: () => waiting,
  };
}

describe('SharedLease', () => {
  it('given three deliveries, when only two wait, then the message is not waiting; when the third waits too, it is', () => {
    const lease = recordingLease();
    const shared = new SharedLease(lease, 3);
    shared.hooks(0)?.queued();
    shared.hooks(1)?.queued();
    assert.equal(lease.isWaiting(), false);
    shared.hooks(2)?.queued();
    assert.equal(lease.isWaiting(), true);
  });

  it('given all waiting, when one is granted its slot, then the message runs again', () => {
    const lease = recordingLease();
    const shared = new SharedLease(lease, 2);
    shared.hooks(0)?.queued();
    shared.hooks(1)?.queued();
    shared.hooks(1)?.granted();
    assert.equal(lease.isWaiting(), false);
  });

  it('given one delivery finished and the other waiting, then the message is waiting', () => {
    const lease = recordingLease();
    const shared = new SharedLease(lease, 2);
    shared.finished(0);
    assert.equal(lease.isWaiting(), false);
    shared.hooks(1)?.queued();
    assert.equal(lease.isWaiting(), true);
  });

  it('given a waiting delivery that is refused (finished while queued), then nothing waits any more', () => {
    const lease = recordingLease();
    const shared = new SharedLease(lease, 1);
    shared.hooks(0)?.queued();
    assert.equal(lease.isWaiting(), true);
    shared.finished(0);
    assert.equal(lease.isWaiting(), false);
  });

  it('given no lease, then there are no hooks', () => {
    assert.equal(new SharedLease(undefined, 2).hooks(0), undefined);
  });
});
