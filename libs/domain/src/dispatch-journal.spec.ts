import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import {
  attemptId,
  deliveryAttemptSchema,
  deliveryId,
  type DeliveryJob,
  type DeliveryJobHead,
} from '@hookpost/contracts';
import { INTERRUPTED_REASON, interruptedAttemptOf } from './attempts';
import {
  endedLine,
  expectedRecordKey,
  recordedKey,
  unrecorded,
  parseJournal,
  writtenLine,
  writtenPayload,
  type WrittenRequest,
} from './dispatch-journal';
import { SEED_DELIVERED } from './testing/seed-events';

const URL_ = 'https://hooks.example.net/mailgun';
const AT = 1_770_146_798_999;

function job(eventId: string, overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    delivery_id: deliveryId(eventId, URL_),
    event_id: eventId,
    webhook: 'delivered',
    domain: 'p.example.com',
    message_id: 'm@example.com',
    url: URL_,
    level: 'domain',
    attempt: 1,
    trigger: 'initial',
    created_at: AT - 5000,
    due_at: AT - 5000,
    event_data: SEED_DELIVERED,
    ...overrides,
  };
}

const REQUEST: WrittenRequest = {
  attemptedAt: AT,
  accountId: 'acc_1',
  traceHeaders: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
};

const headOf = (j: DeliveryJob): DeliveryJobHead => {
  const { event_data, ...head } = j;
  void event_data;
  return head;
};

const written = (seq: number, j: DeliveryJob, request = REQUEST) =>
  writtenLine(seq, writtenPayload(request, headOf(j)));

describe('dispatch journal', () => {
  it('given requests written and some ended, when parsed, then the open ones remain, in order, with what was journaled', () => {
    const a = job('ev-a');
    const b = job('ev-b', { attempt: 3, trigger: 'retry' });
    const c = job('ev-c');
    const text = written(1, a) + written(2, b) + endedLine(1) + written(3, c) + endedLine(3);
    const parsed = parseJournal(text);
    assert.equal(parsed.unreadable, 0);
    assert.deepEqual(
      parsed.open.map((e) => [e.seq, e.job]),
      [[2, headOf(b)]],
    );
    assert.deepEqual(
      { at: parsed.open[0].attemptedAt, account: parsed.open[0].accountId, h: parsed.open[0].traceHeaders },
      { at: AT, account: 'acc_1', h: REQUEST.traceHeaders },
    );
    assert.ok(!text.includes('event_data'), 'a job is journaled without its event data');
  });

  it('given every request ended, or an empty journal, then nothing is open', () => {
    assert.deepEqual(parseJournal(written(1, job('x')) + endedLine(1)), { open: [], unreadable: 0 });
    assert.deepEqual(parseJournal(''), { open: [], unreadable: 0 });
  });

  it('given a last line torn by the kill, then it is counted unreadable and the rest still counts', () => {
    const whole = written(1, job('ev-a'));
    const torn = written(2, job('ev-b')).slice(0, 120);
    const parsed = parseJournal(whole + torn);
    assert.equal(parsed.unreadable, 1);
    assert.deepEqual(
      parsed.open.map((e) => e.seq),
      [1],
    );
  });

  it('given damaged lines (bad meta, a job that is not a job, unknown kinds, E with a payload), then each is unreadable', () => {
    const lines = [
      'W 1 {"t":"soon","a":null,"h":{}}\t{}',
      `W 2 {"t":1,"a":null,"h":{}}\t{"delivery_id":"x"}`,
      'X 3',
      'E 4 {}\tjunk',
      'W five {}\t{}',
    ];
    assert.deepEqual(parseJournal(lines.join('\n') + '\n'), { open: [], unreadable: 5 });
  });

  it('given a line of the earlier version, with the job whole, then it is read and its event data left out', () => {
    const j = job('ev-old');
    const meta = JSON.stringify({ t: AT, a: 'acc_1', h: {} });
    assert.deepEqual(parseJournal(`W 7 ${meta}\t${JSON.stringify(j)}\n`).open[0].job, headOf(j));
  });

  it('given text with tabs, newlines and non-ASCII inside the job strings, then it survives the round trip on one line', () => {
    const j = job('ev-text', { message_id: 'tab\there\nline 2 – ünïcode 🚀' });
    const line = written(1, j);
    assert.equal(line.split('\n').length, 2, 'one line');
    assert.deepEqual(parseJournal(line).open[0].job, headOf(j));
  });

  it('given an open entry, then its attempt event is failed, interrupted, under its own id, and valid', () => {
    const j = job('ev-a', { attempt: 2, trigger: 'retry' });
    const [entry] = parseJournal(written(9, j)).open;
    const attempt = interruptedAttemptOf(entry);
    assert.deepEqual(deliveryAttemptSchema.parse(attempt), attempt);
    assert.equal(attempt.outcome, 'failed');
    assert.equal(attempt.error_class, 'interrupted');
    assert.equal(attempt.http_status, null);
    assert.equal(attempt.reason, INTERRUPTED_REASON);
    assert.equal(attempt.attempt, 2);
    assert.equal(attempt.attempted_at, AT);
    assert.equal(attempt.account_id, 'acc_1');
    assert.equal('job' in attempt, false, 'never retried: its event carries no job');
    assert.notEqual(
      attempt.attempt_id,
      attemptId(j.delivery_id, 2),
      'never the id of the attempt made again',
    );
    assert.equal(interruptedAttemptOf(entry).attempt_id, attempt.attempt_id, 'the same entry, the same id');
    const later = parseJournal(written(9, j, { ...REQUEST, attemptedAt: AT + 1 })).open[0];
    assert.notEqual(interruptedAttemptOf(later).attempt_id, attempt.attempt_id, 'another POST, another id');
  });

  it('given open entries, some of whose attempt events the broker stored before the kill, then only the others need `interrupted`', () => {
    const a = job('ev-a');
    const b = job('ev-b', { attempt: 2, trigger: 'retry' });
    const open = parseJournal(written(1, a) + written(2, b)).open;
    const stored = new Set([recordedKey(attemptId(a.delivery_id, 1), AT)]);
    assert.deepEqual(
      unrecorded(open, stored).map((e) => e.job.event_id),
      ['ev-b'],
    );
    // The same attempt made again later (after the restart) has the same id but not the same time.
    const later = new Set([recordedKey(attemptId(b.delivery_id, 2), AT + 5000)]);
    assert.equal(unrecorded(open, later).length, 2);
    assert.equal(expectedRecordKey(open[1]), `${attemptId(b.delivery_id, 2)}@${AT}`);
  });
});
