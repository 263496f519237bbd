/**
 * Recovery from the dispatch journal against the real broker: journals left by a dispatcher that died
 * are taken over when fan-out starts; a POST whose attempt event the broker stored before the kill gets
 * nothing more, one that has none gets exactly one `interrupted` event.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { attemptId, deliveryId, TOPICS, type DeliveryAttempt, type DeliveryJob } from '@hookpost/contracts';
import { attemptOf, writtenLine, writtenPayload } from '@hookpost/domain';
import { TestSystem } from '../support/system';

const URL_ = 'https://hooks.example.net/journal';
const AT = Date.now() - 3000;

function job(eventId: string): DeliveryJob {
  return {
    delivery_id: deliveryId(eventId, URL_),
    event_id: eventId,
    webhook: 'delivered',
    domain: 'journal.example.com',
    message_id: `${eventId}@example.com`,
    url: URL_,
    level: 'domain',
    attempt: 1,
    trigger: 'initial',
    created_at: AT - 100,
    due_at: AT - 100,
    event_data: { event: 'delivered', id: eventId, timestamp: AT / 1000 },
  };
}

describe('dispatch journal recovery', () => {
  let system: TestSystem;
  const dir = mkdtempSync(join(tmpdir(), 'hookpost-journal-e2e-'));

  beforeAll(async () => {
    system = await TestSystem.start({ services: ['config'], env: { DISPATCH_JOURNAL_DIR: dir } });
  });

  afterAll(async () => {
    if (system) await system.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes over a dead dispatcher’s journal: an event the broker already has is left alone, the other POST gets one `interrupted` event', async () => {
    const recorded = job('ev-recorded');
    const cutOff = job('ev-cut-off');
    const request = { attemptedAt: AT, accountId: 'acc_journal', traceHeaders: {} };
    const line = (seq: number, j: DeliveryJob) => writtenLine(seq, writtenPayload(request, j));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(join(dir, `dispatch-${dead}.journal`), line(1, recorded) + line(2, cutOff) + 'W 3 {"t":');

    // The broker stored `recorded`'s attempt event; its dispatcher died before reading the ack.
    const stored = attemptOf({
      job: recorded,
      accountId: 'acc_journal',
      result: { outcome: 'delivered', httpStatus: 200, errorClass: null, reason: null },
      durationMs: 12,
      attemptedAt: AT,
    });
    await system.produce(TOPICS.deliveryAttempts, JSON.stringify(stored), {}, recorded.delivery_id);

    await (await system.startService('fan-out')).waitReady();
    const attempts = await system.consumeUntil(
      TOPICS.deliveryAttempts,
      (v) => JSON.parse(v.toString('utf8')) as DeliveryAttempt,
      (items) => items.some((a) => a.error_class === 'interrupted'),
      30_000,
    );
    await sleep(1000);
    const all = await system.consumeUntil(
      TOPICS.deliveryAttempts,
      (v) => JSON.parse(v.toString('utf8')) as DeliveryAttempt,
      (items) => items.length >= attempts.length,
    );
    const interrupted = all.filter((a) => a.error_class === 'interrupted');
    assert.deepEqual(
      interrupted.map((a) => [a.event_id, a.attempt, a.attempted_at, a.account_id, a.outcome]),
      [['ev-cut-off', 1, AT, 'acc_journal', 'failed']],
    );
    assert.notEqual(interrupted[0].attempt_id, attemptId(cutOff.delivery_id, 1));
    // Never retried (its job is delivered again from its topic): the event carries no job.
    assert.equal(interrupted[0].job, undefined);
    assert.equal(interrupted[0].url, cutOff.url);
    assert.equal(all.filter((a) => a.event_id === 'ev-recorded').length, 1, 'the stored event only');

    const files = readdirSync(dir);
    assert.ok(!files.some((f) => f.startsWith(`dispatch-${dead}.`)), `taken over and deleted: ${files}`);
    assert.ok(
      files.some((f) => /^dispatch-\d+\.journal$/.test(f)),
      'the new dispatcher keeps its own journal',
    );
    assert.ok(existsSync(dir));
  });
});
