import { afterEach, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import RequestQueue from 'kafkajs/src/network/requestQueue';
import { fixRequestQueueIdlePolling, needsPendingCheck } from './request-queue-fix';

describe('needsPendingCheck', () => {
  const NOW = 1_770_000_000_000;
  const cases: Array<[string, number, number, boolean]> = [
    ['nothing pending, never throttled (kafkajs starts throttledUntil at -1)', 0, -1, false],
    ['nothing pending, a throttle that has ended', 0, NOW - 5, false],
    ['nothing pending, throttled until later', 0, NOW + 50, true],
    ['requests pending, not throttled (the in-flight limit holds them)', 2, -1, true],
    ['requests pending and throttled', 1, NOW + 50, true],
  ];
  for (const [name, pending, throttledUntil, expected] of cases) {
    it(`given ${name}, then a check is ${expected ? '' : 'not '}scheduled`, () => {
      assert.equal(needsPendingCheck(pending, throttledUntil, NOW), expected);
    });
  }
});

describe('fixRequestQueueIdlePolling', () => {
  type Queue = Pick<RequestQueue, 'pending' | 'throttledUntil' | 'throttleCheckTimeoutId'> & {
    checkPendingRequests(): void;
  };
  const queues: Queue[] = [];
  const queue = (pending: number, throttledUntil: number): Queue => {
    const q: Queue = {
      pending: new Array<unknown>(pending).fill({}),
      throttledUntil,
      throttleCheckTimeoutId: null,
      checkPendingRequests: () => undefined,
    };
    queues.push(q);
    return q;
  };
  const schedule = (q: Queue) =>
    RequestQueue.prototype.scheduleCheckPendingRequests.call(q as unknown as RequestQueue);
  afterEach(() => {
    for (const q of queues.splice(0)) if (q.throttleCheckTimeoutId) clearTimeout(q.throttleCheckTimeoutId);
  });

  it("given kafkajs' RequestQueue patched, when an idle queue schedules its check, then no timer is armed", () => {
    fixRequestQueueIdlePolling();
    fixRequestQueueIdlePolling(); // once per process, however many clients
    const idle = queue(0, -1);
    schedule(idle);
    assert.equal(idle.throttleCheckTimeoutId, null);
  });

  it('given requests pending, or a throttle still running, then the timer is armed as kafkajs does', () => {
    fixRequestQueueIdlePolling();
    const waiting = queue(1, -1);
    const throttled = queue(0, Date.now() + 1_000);
    schedule(waiting);
    schedule(throttled);
    assert.notEqual(waiting.throttleCheckTimeoutId, null);
    assert.notEqual(throttled.throttleCheckTimeoutId, null);
  });
});
