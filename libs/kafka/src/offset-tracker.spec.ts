import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { OffsetTracker } from './offset-tracker';

function tracking(...offsets: number[]): OffsetTracker {
  const tracker = new OffsetTracker();
  for (const offset of offsets) tracker.start(String(offset));
  return tracker;
}

describe('OffsetTracker', () => {
  it('given nothing started, then there is nothing to commit', () => {
    const tracker = new OffsetTracker();
    assert.equal(tracker.committable(), null);
    assert.equal(tracker.size, 0);
  });

  it('given messages in flight, when none has finished, then the committable offset is the lowest in flight', () => {
    const tracker = tracking(5, 6, 7);
    assert.equal(tracker.size, 3);
    assert.equal(tracker.committable(), '5');
  });

  describe('given 5, 6, 7 in flight, when they finish out of order, then the commit never passes an unfinished one', () => {
    const orders: Array<[number[], Array<string | null>]> = [
      [
        [6, 7, 5],
        ['5', '5', '8'],
      ],
      [
        [7, 6, 5],
        ['5', '5', '8'],
      ],
      [
        [5, 7, 6],
        ['6', '6', '8'],
      ],
      [
        [5, 6, 7],
        ['6', '7', '8'],
      ],
      [
        [6, 5, 7],
        ['5', '7', '8'],
      ],
    ];
    for (const [order, expected] of orders) {
      it(`finishing ${order.join(', ')} gives ${expected.join(', ')}`, () => {
        const tracker = tracking(5, 6, 7);
        const seen = order.map((offset) => {
          tracker.finish(String(offset));
          return tracker.committable();
        });
        assert.deepEqual(seen, expected);
        assert.equal(tracker.size, 0);
      });
    }
  });

  it('given a gap in offsets (compaction, transaction markers), when the later one finishes first, then the commit waits for the earlier', () => {
    const tracker = tracking(5, 9);
    tracker.finish('9');
    assert.equal(tracker.committable(), '5');
    tracker.finish('5');
    assert.equal(tracker.committable(), '10');
  });

  it('given an offset committed, when nothing new finished, then there is nothing to commit', () => {
    const tracker = tracking(5, 6);
    tracker.finish('5');
    assert.equal(tracker.committable(), '6');
    tracker.markCommitted('6');
    assert.equal(tracker.committable(), null);
  });

  it('given everything committed, when a new message starts, then there is still nothing new until it finishes', () => {
    const tracker = tracking(5);
    tracker.finish('5');
    tracker.markCommitted(tracker.committable() ?? 'missing');
    tracker.start('6');
    assert.equal(tracker.committable(), null);
    tracker.finish('6');
    assert.equal(tracker.committable(), '7');
  });

  it('given a later commit recorded, when an older one is marked afterwards, then the tracker does not go back', () => {
    const tracker = tracking(5, 6, 7);
    for (const o of ['5', '6', '7']) tracker.finish(o);
    tracker.markCommitted('8');
    tracker.markCommitted('6');
    assert.equal(tracker.committable(), null);
  });

  it('given offsets beyond 2^53, when tracked, then they are exact', () => {
    const big = '9007199254740993';
    const tracker = tracking();
    tracker.start(big);
    tracker.finish(big);
    assert.equal(tracker.committable(), '9007199254740994');
  });
});
