import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import {
  attemptMessage,
  HEADERS,
  jobNeeded,
  LEGACY_SCHEMAS,
  type AttemptHead,
  type DeliveryAttempt,
  type DeliveryJob,
} from '@hookpost/contracts';
import { expectEqual } from './testing/expect-equal';
import {
  failureRowOf,
  loggedPart,
  partRecord,
  projectBatch,
  readLoggedAttempt,
  type AttemptRecord,
} from './failure-log';
import { sampleAttempt, sampleJob } from './testing/delivery-fixtures';

function headOf(attempt: DeliveryAttempt): AttemptHead {
  const head: Partial<DeliveryAttempt> = { ...attempt };
  delete head.job;
  return head as AttemptHead;
}

/** An attempt record as the dispatcher writes it (v2), as a consumer reads it: value and headers as bytes. */
function v2(attempt: DeliveryAttempt, job: string | null = jobTextOf(attempt)): AttemptRecord {
  const written = attemptMessage(headOf(attempt), job, {});
  const headers: NonNullable<AttemptRecord['headers']> = {};
  for (const [name, value] of Object.entries(written.headers ?? {})) {
    headers[name] = Buffer.from(String(value));
  }
  return { value: Buffer.from(written.value as Buffer | string), headers };
}

function jobTextOf(attempt: DeliveryAttempt): string | null {
  return jobNeeded(attempt) && attempt.job ? JSON.stringify(attempt.job) : null;
}

/** The record with its value's bytes from `at` on replaced by `text` (same headers). */
function withTail(record: AttemptRecord, at: number, text: string): AttemptRecord {
  const value = record.value as Buffer;
  return { ...record, value: Buffer.concat([value.subarray(0, at), Buffer.from(text)]) };
}

const headBytesOf = (record: AttemptRecord) => Number(String(record.headers?.[HEADERS.headBytes]));

const delivered = sampleAttempt({ outcome: 'delivered', http_status: 200, error_class: null, reason: null });
const failed = sampleAttempt({}, sampleJob());
const rejected = sampleAttempt(
  { outcome: 'rejected', http_status: 406, reason: 'HTTP 406: no' },
  sampleJob({ url: 'https://b.example.com/rejects' }),
);
const dropped = sampleAttempt(
  {
    outcome: 'dropped',
    attempt: 2,
    http_status: null,
    error_class: 'schedule_exhausted',
    reason: 'given up after 1 attempt(s); last: HTTP 500: oops',
  },
  sampleJob({ url: 'https://c.example.com/fails' }),
);
const badJob = { ...sampleJob(), url: 'not a url', attempt: 0 } as DeliveryJob;

describe('readLoggedAttempt: a v2 record, read by its outcome header', () => {
  it('given a delivered record whose value is not even JSON, then nothing is read: no attempt to log, not invalid', () => {
    const record = { value: Buffer.from('{"not": json'), headers: { [HEADERS.outcome]: 'delivered' } };
    expectEqual(readLoggedAttempt(record), { ok: true, value: null });
  });

  it('given a failed record, then only its head is parsed: a job that is not even JSON does not matter', () => {
    const record = v2(failed);
    const garbled = withTail(record, headBytesOf(record), ',"job": {{{ not json');
    const decoded = readLoggedAttempt(garbled);
    assert.ok(decoded.ok && decoded.value !== null);
    expectEqual(decoded.value, headOf(failed));
    expectEqual(failureRowOf(decoded.value), failureRowOf(failed));
  });

  it('given a failed record whose head is invalid, then it is invalid, naming the field', () => {
    const decoded = readLoggedAttempt(v2({ ...failed, attempt: 0 }));
    assert.ok(!decoded.ok);
    assert.match(decoded.reason, /^attempt: /);
  });

  it('given a failed record without a job (an interrupted POST), then it is read whole: a row without a job', () => {
    const interrupted = sampleAttempt({ http_status: null, error_class: 'interrupted', reason: 'unknown' });
    const record = v2(interrupted);
    assert.equal(record.headers?.[HEADERS.headBytes], undefined);
    const decoded = readLoggedAttempt(record);
    assert.ok(decoded.ok && decoded.value !== null);
    expectEqual(failureRowOf(decoded.value), failureRowOf(headOf(interrupted)));
    assert.equal(failureRowOf(decoded.value)?.job, null);
  });

  for (const final of [rejected, dropped]) {
    it(`given a ${final.outcome} record, then it is read whole and its row keeps the job as checked`, () => {
      const decoded = readLoggedAttempt(v2(final));
      assert.ok(decoded.ok && decoded.value !== null);
      expectEqual(failureRowOf(decoded.value)?.job, final.job);
      expectEqual(failureRowOf(decoded.value), failureRowOf(final));
    });

    it(`given a ${final.outcome} record whose job is malformed, then it is invalid, with the job's paths`, () => {
      const decoded = readLoggedAttempt(v2({ ...final, job: badJob }));
      assert.ok(!decoded.ok);
      assert.match(decoded.reason, /^job\.url: .*; job\.attempt: /);
    });

    it(`given a ${final.outcome} record without its job, then it is invalid: its row could not be resent`, () => {
      const decoded = readLoggedAttempt(v2(final, null));
      expectEqual(decoded, { ok: false, reason: `job: a ${final.outcome} attempt without its job` });
    });
  }

  it('given an outcome header that the record contradicts, then it is invalid, naming both', () => {
    const record = v2(failed);
    const lying = { ...record, headers: { ...record.headers, [HEADERS.outcome]: Buffer.from('rejected') } };
    expectEqual(readLoggedAttempt(lying), {
      ok: false,
      reason: 'the outcome header says rejected, the record failed',
    });
  });

  it('given a v1 record (legacy schema header, no outcome header), then it is read as before: the job must be there', () => {
    const headers = { [HEADERS.schema]: Buffer.from(LEGACY_SCHEMAS.deliveryAttempt) };
    const decoded = readLoggedAttempt({ value: Buffer.from(JSON.stringify(failed)), headers });
    assert.ok(decoded.ok && decoded.value !== null);
    expectEqual(failureRowOf(decoded.value), failureRowOf(failed));
    const withoutJob = readLoggedAttempt({ value: Buffer.from(JSON.stringify(headOf(failed))), headers });
    assert.equal(withoutJob.ok, false);
  });
});

describe('projectBatch of v2 records', () => {
  it('given a delivered record that is not JSON among failures, then it counts as an attempt, makes no row and is not invalid', () => {
    const out = projectBatch([
      { offset: '1', ...v2(failed) },
      { offset: '2', value: Buffer.from('???'), headers: { [HEADERS.outcome]: Buffer.from('delivered') } },
      { offset: '3', ...v2(rejected) },
    ]);
    expectEqual(
      out.rows.map((r) => [r.attempt_id, r.final]),
      [
        [failed.attempt_id, false],
        [rejected.attempt_id, true],
      ],
    );
    expectEqual([out.attempts, out.invalid, out.rejected], [3, [], []]);
  });

  it('given an invalid final record (the retry service does not read those), then it is rejected, not only reported', () => {
    const out = projectBatch([
      { offset: '4', ...v2({ ...rejected, job: badJob }) },
      { offset: '5', ...v2(dropped, null) },
      { offset: '6', value: Buffer.from('{"attempt_id":'), headers: { [HEADERS.outcome]: 'failed' } },
    ]);
    expectEqual(
      out.rejected.map((r) => r.offset),
      ['4', '5'],
    );
    assert.match(out.rejected[0].reason, /^failure log: job\.url: /);
    expectEqual(out.rejected[1].reason, 'failure log: job: a dropped attempt without its job');
    expectEqual(
      out.invalid.map((r) => r.offset),
      ['6'],
      'a failed one is the retry service to reject',
    );
    expectEqual([out.rows.length, out.attempts], [0, 2]);
  });
});

describe('loggedPart', () => {
  it('given a failed record with its job, then only the bytes before the job and the comma there', () => {
    const record = v2(failed);
    const part = loggedPart(record);
    const headBytes = headBytesOf(record);
    expectEqual([part.outcome, part.head, part.bytes?.length], ['failed', true, headBytes + 1]);
    assert.equal(part.bytes?.toString('utf8', headBytes), ',');
  });

  it('given a delivered record, then no bytes; given a final one or a v1 one, then all of them', () => {
    expectEqual(loggedPart(v2(delivered)), { outcome: 'delivered', bytes: null, head: false });
    for (const record of [v2(rejected), v2(dropped), { value: Buffer.from(JSON.stringify(failed)) }]) {
      const part = loggedPart(record);
      assert.equal(part.head, false);
      assert.ok(part.bytes?.equals(record.value as Buffer));
    }
  });

  const cases: Array<[string, AttemptRecord]> = [
    ['a failed record', v2(failed)],
    ['a failed record with a garbled job', withTail(v2(failed), headBytesOf(v2(failed)), ',"job":}}')],
    ['a failed record with an invalid head', v2({ ...failed, url: 7 } as unknown as DeliveryAttempt)],
    [
      'a failed record with a head-bytes header past its value',
      { ...v2(failed), headers: { [HEADERS.outcome]: 'failed', [HEADERS.headBytes]: '100000' } },
    ],
    [
      'a failed record with a head-bytes header that is no number',
      { ...v2(failed), headers: { [HEADERS.outcome]: 'failed', [HEADERS.headBytes]: 'soon' } },
    ],
    ['a delivered record', v2(delivered)],
    ['a rejected record', v2(rejected)],
    ['a dropped record with a bad job', v2({ ...dropped, job: badJob })],
    ['a v1 record', { value: Buffer.from(JSON.stringify(failed)) }],
    ['a v1 record without its job', { value: Buffer.from(JSON.stringify(headOf(failed))) }],
    ['an unknown outcome header', { ...v2(failed), headers: { [HEADERS.outcome]: 'maybe' } }],
    ['a null value', { value: null, headers: { [HEADERS.outcome]: 'failed' } }],
    ['text, not JSON', { value: 'not json' }],
  ];
  for (const [name, record] of cases) {
    it(`given ${name}, when its part is read as a record again (partRecord), then it reads as the whole record`, () => {
      expectEqual(readLoggedAttempt(partRecord(loggedPart(record))), readLoggedAttempt(record));
    });
  }
});
