import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { retryTopicBase, TOPICS, type DeliveryAttempt, type DeliveryJob } from '@hookpost/contracts';
import { waitFor } from '../support/processes';
import { Receiver } from '../support/receiver';
import { TestSystem } from '../support/system';

const SCHEDULE = [4000, 2000, 3000]; // RETRY_SCHEDULE=4s,2s,3s

const idOf = (body: string) => (JSON.parse(body) as { 'event-data': { id: string } })['event-data'].id;

describe('retry on timestamped delay topics (RETRY_SCHEDULE=4s,2s,3s), dead letters, kill -9', () => {
  let system: TestSystem;
  let receiver: Receiver;
  const flakySeen = new Set<string>();

  const produce = (type: string, n: number) => system.produceSeedEvents(type, 'r.example.com', n);

  const attemptsOf = (ids: string[], done: (mine: DeliveryAttempt[]) => boolean, timeoutMs = 30_000) =>
    system
      .consumeUntil(
        TOPICS.deliveryAttempts,
        (v) => JSON.parse(v.toString('utf8')) as DeliveryAttempt,
        (items) => done(items.filter((a) => ids.includes(a.event_id))),
        timeoutMs,
      )
      .then((items) => items.filter((a) => ids.includes(a.event_id)));

  const postsTo = (path: string, ids: string[]) =>
    receiver.received(path).filter((r) => ids.includes(idOf(r.body)));

  beforeAll(async () => {
    receiver = await new Receiver().start();
    receiver.respond = (req) => {
      if (req.path === '/reject') return 406;
      if (req.path === '/flaky') {
        const id = idOf(req.body);
        if (flakySeen.has(id)) return 200;
        flakySeen.add(id);
        return 500;
      }
      return 500;
    };
    system = await TestSystem.start({ env: { RETRY_SCHEDULE: '4s,2s,3s' } });
    const account = await system.admin('/internal/v1/accounts', { name: 'R' });
    await system.addDomain(account, 'r.example.com', [
      ['opened', receiver.url('/fail')],
      ['clicked', receiver.url('/reject')],
      ['delivered', receiver.url('/fail-delivered')],
      ['complained', receiver.url('/flaky')],
    ]);
    await system.configPropagated();
  });

  afterAll(async () => {
    await receiver?.stop();
    if (system) await system.stop();
  });

  it('retries on the schedule, never early and at most 1 s late at p99; then a dead letter and a dropped record', async () => {
    const ids = await produce('opened', 20);
    const attempts = await attemptsOf(
      ids,
      (mine) => mine.filter((a) => a.outcome === 'dropped').length === ids.length,
      40_000,
    );
    const lateness: number[] = [];
    for (const id of ids) {
      const mine = attempts.filter((a) => a.event_id === id).sort((a, b) => a.attempt - b.attempt);
      assert.deepEqual(
        mine.map((a) => `${a.attempt}:${a.outcome}:${a.trigger}`),
        ['1:failed:initial', '2:failed:retry', '3:failed:retry', '4:failed:retry', '5:dropped:retry'],
      );
      for (let k = 1; k < 4; k++) {
        const failedAt = mine[k - 1].attempted_at + Math.ceil(mine[k - 1].duration_ms);
        lateness.push(mine[k].attempted_at - (failedAt + SCHEDULE[k - 1]));
      }
      assert.equal(mine[4].error_class, 'schedule_exhausted');
    }
    lateness.sort((a, b) => a - b);
    assert.ok(lateness[0] >= 0, `never early (earliest ${lateness[0]} ms)`);
    const p99 = lateness[Math.ceil(0.99 * lateness.length) - 1];
    assert.ok(p99 <= 1000, `p99 lateness ${p99} ms`);
    assert.equal(postsTo('/fail', ids).length, ids.length * 4, 'exactly 4 POSTs per event');

    const dead = await system.consumeUntil(
      TOPICS.deliveriesDead,
      (v) => JSON.parse(v.toString('utf8')) as DeliveryJob,
      (items) => items.filter((j) => ids.includes(j.event_id)).length >= ids.length,
    );
    const mineDead = dead.filter((j) => ids.includes(j.event_id));
    assert.equal(mineDead.length, ids.length);
    assert.ok(mineDead.every((j) => j.attempt === 4 && j.url === receiver.url('/fail')));
  });

  it('a 406 is rejected and never retried; a failed `delivered` is not retried by default', async () => {
    const rejected = await produce('clicked', 5);
    const delivered = await produce('delivered', 5);
    const attempts = await attemptsOf(
      [...rejected, ...delivered],
      (mine) => mine.filter((a) => a.outcome === 'rejected' || a.outcome === 'dropped').length >= 10,
    );
    await sleep(SCHEDULE[0] + 1500); // past the first retry's due time
    assert.equal(postsTo('/reject', rejected).length, 5);
    assert.equal(postsTo('/fail-delivered', delivered).length, 5);
    const forRejected = attempts.filter((a) => rejected.includes(a.event_id));
    assert.deepEqual(
      forRejected.map((a) => `${a.outcome}:${a.http_status}`),
      Array(5).fill('rejected:406'),
    );
    const dropped = attempts.filter((a) => delivered.includes(a.event_id) && a.outcome === 'dropped');
    assert.equal(dropped.length, 5);
    assert.ok(dropped.every((a) => a.error_class === 'retry_excluded' && a.attempt === 2));
  });

  it('kill -9 of the retry service while jobs wait: after a restart every job fires, once', async () => {
    // Watch the first delay topic from before the events exist, so parking is seen within milliseconds.
    const parked = await system.reader(
      retryTopicBase('4s'),
      (v) => JSON.parse(v.toString('utf8')) as DeliveryJob,
    );
    const ids = await produce('complained', 20);
    try {
      await waitFor(
        () => ids.every((id) => parked.items.some((j) => j.event_id === id)),
        20_000,
        'parking',
        10,
      );
    } finally {
      await parked.stop();
    }
    // The router commits its offsets every 100 ms: once they are in, a kill costs no re-parking.
    assert.ok(
      await system.idle(1500, (group) => group.endsWith('hookpost-retry')),
      'router offsets committed',
    );
    await system.service('retry').kill(); // every job is waiting for its due time (2 s after its failure)
    assert.equal(postsTo('/flaky', ids).length, ids.length, 'only the first attempts were made');
    await sleep(1000);
    await (await system.startService('retry')).waitReady();
    await waitFor(() => postsTo('/flaky', ids).length >= ids.length * 2, 30_000, 'every retry');
    await sleep(1500);
    const perEvent = ids.map((id) => postsTo('/flaky', [id]).length);
    assert.deepEqual(perEvent, Array(ids.length).fill(2), 'each job fired exactly once more');
  });
});
