import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { expectEqual } from './testing/expect-equal';
import {
  decodeLoggedAttempt,
  failureReason,
  failureRowOf,
  MAX_REASON_CHARS,
  MAX_KEY_BYTES,
  projectBatch,
  rowProblem,
  visibleWebhookOwners,
  accountScope,
  domainScope,
} from './failure-log';
import { sampleAttempt, sampleJob } from './testing/delivery-fixtures';

const message = (offset: number, value: unknown) => ({
  offset: String(offset),
  value: typeof value === 'string' ? value : JSON.stringify(value),
});

describe('visibleWebhookOwners', () => {
  it("given a subaccount's own key, then only its own webhooks' failures", () => {
    expectEqual(visibleWebhookOwners({ accountId: 'S', parentId: 'P', viaPrimary: false }), ['S']);
  });

  it('given the primary acting for its subaccount (X-Mailgun-On-Behalf-Of), then its own too', () => {
    expectEqual(visibleWebhookOwners({ accountId: 'S', parentId: 'P', viaPrimary: true }), ['S', 'P']);
  });

  it('given a primary, then its own', () => {
    expectEqual(visibleWebhookOwners({ accountId: 'P', parentId: null, viaPrimary: false }), ['P']);
  });
});

describe('accountScope / domainScope', () => {
  it("given a primary, then its account-wide list is every row of its and its subaccounts' domains", () => {
    expectEqual(accountScope({ accountId: 'P', parentId: null, viaPrimary: false }), {
      kind: 'primary',
      accountId: 'P',
    });
  });

  it("given a subaccount, then its account-wide list is its domains' rows of the webhooks it sees", () => {
    expectEqual(accountScope({ accountId: 'S', parentId: 'P', viaPrimary: false }), {
      kind: 'account',
      accountId: 'S',
      owners: ['S'],
    });
    expectEqual(accountScope({ accountId: 'S', parentId: 'P', viaPrimary: true }), {
      kind: 'account',
      accountId: 'S',
      owners: ['S', 'P'],
    });
  });

  it("given a domain, then its list is the domain's rows of the webhooks the caller sees", () => {
    expectEqual(domainScope({ accountId: 'S', parentId: 'P', viaPrimary: true }, 's.example.com'), {
      kind: 'domain',
      domain: 's.example.com',
      owners: ['S', 'P'],
    });
  });
});

describe('failureRowOf', () => {
  it('given a delivered attempt, then it is not a failure: no row', () => {
    assert.equal(
      failureRowOf(
        sampleAttempt({ outcome: 'delivered', http_status: 200, error_class: null, reason: null }),
      ),
      null,
    );
  });

  it('given a failed attempt (a 500), then a row with every field, not final', () => {
    const job = sampleJob({ attempt: 2, trigger: 'retry' });
    const attempt = sampleAttempt({ attempt: 2 }, job);
    expectEqual(failureRowOf(attempt), {
      attempt_id: attempt.attempt_id,
      attempted_at: 1_763_000_000_123,
      url: 'https://hooks.example.com/failed',
      reason: 'HTTP 500: oops',
      http_status: 500,
      error_class: 'http_status',
      outcome: 'failed',
      event: 'permanent_fail',
      event_id: 'evt-1',
      message_id: '<20250101.1@mg.example.com>',
      domain: 'mg.example.com',
      account_id: 'acc-1',
      webhook_account_id: 'acc-1',
      attempt: 2,
      final: false,
      trigger: 'retry',
      delivery_id: job.delivery_id,
      job: null,
    });
  });

  it("given an attempt of the primary's account-level webhook on a subaccount's domain, then the row is the primary's", () => {
    const job = sampleJob({ level: 'account', webhook_account_id: 'primary-1' });
    const row = failureRowOf(sampleAttempt({ account_id: 'sub-1', webhook_account_id: 'primary-1' }, job));
    expectEqual([row?.account_id, row?.webhook_account_id], ['sub-1', 'primary-1']);
  });

  it("given an attempt recorded before webhook_account_id existed, then the row falls back to the domain's owner", () => {
    const row = failureRowOf(sampleAttempt({ account_id: 'sub-1' }));
    expectEqual([row?.account_id, row?.webhook_account_id], ['sub-1', 'sub-1']);
  });

  it('given a rejected attempt (406), then the row is final and keeps the job, for a resend', () => {
    const job = sampleJob();
    const row = failureRowOf(
      sampleAttempt({ outcome: 'rejected', http_status: 406, reason: 'HTTP 406: no' }, job),
    );
    expectEqual([row?.outcome, row?.final, row?.http_status, row?.job], ['rejected', true, 406, job]);
  });

  it('given a dropped attempt (schedule used up), then the row is final, says why and keeps the job', () => {
    const job = sampleJob({ attempt: 2, trigger: 'retry' });
    const row = failureRowOf(
      sampleAttempt(
        {
          outcome: 'dropped',
          attempt: 3,
          http_status: null,
          error_class: 'schedule_exhausted',
          reason: 'given up after 2 attempt(s); last: HTTP 500: oops',
        },
        job,
      ),
    );
    expectEqual(
      [row?.outcome, row?.final, row?.attempt, row?.reason, row?.job],
      ['dropped', true, 3, 'given up after 2 attempt(s); last: HTTP 500: oops', job],
    );
  });

  it('given a connection error, then the row keeps the error as the reason and no status', () => {
    const row = failureRowOf(
      sampleAttempt({
        http_status: null,
        error_class: 'connection',
        reason: 'connect ECONNREFUSED 127.0.0.1:9',
      }),
    );
    expectEqual(
      [row?.http_status, row?.error_class, row?.reason],
      [null, 'connection', 'connect ECONNREFUSED 127.0.0.1:9'],
    );
  });
});

describe('failureReason', () => {
  const base = { outcome: 'failed' as const, http_status: null, error_class: null, reason: null };
  const cases: Array<[string, Parameters<typeof failureReason>[0], string]> = [
    [
      'the attempt has a reason',
      { ...base, http_status: 502, reason: 'HTTP 502: bad gateway' },
      'HTTP 502: bad gateway',
    ],
    [
      'a reason with surrounding blanks',
      { ...base, reason: '  timeout after 10000 ms \n' },
      'timeout after 10000 ms',
    ],
    ['no reason but a status', { ...base, http_status: 503 }, 'HTTP 503'],
    ['a blank reason and a status', { ...base, http_status: 503, reason: '  ' }, 'HTTP 503'],
    ['no reason, no status, an error class', { ...base, error_class: 'dns' }, 'dns'],
    ['nothing at all', base, 'failed'],
  ];
  for (const [name, attempt, expected] of cases) {
    it(`given ${name}, then "${expected}"`, () => {
      assert.equal(failureReason(attempt), expected);
    });
  }

  it('given MAX_REASON_CHARS characters outside the BMP (twice as many UTF-16 units), then all of them', () => {
    const reason = '😀'.repeat(MAX_REASON_CHARS);
    assert.equal(failureReason({ ...base, http_status: 500, reason }), reason);
    assert.ok(failureReason({ ...base, http_status: 500, reason: `${reason}x` }).endsWith('😀…'));
  });

  it('given a long body, then a snippet of MAX_REASON_CHARS characters and an ellipsis, never a split character', () => {
    const reason = `HTTP 500: ${'é'.repeat(2000)}`;
    const out = failureReason({ ...base, http_status: 500, reason });
    assert.equal(Array.from(out).length, MAX_REASON_CHARS + 1);
    assert.ok(out.startsWith('HTTP 500: éé'));
    assert.ok(out.endsWith('é…'));
  });
});

describe('projectBatch', () => {
  const job = sampleJob();
  const failed = sampleAttempt({}, job);
  const delivered = sampleAttempt(
    { attempt: 2, outcome: 'delivered', http_status: 200, error_class: null, reason: null },
    { ...job, attempt: 2 },
  );

  it('given failures and a delivery, then one row per failure; every valid record counts as an attempt', () => {
    const rejected = sampleAttempt(
      { outcome: 'rejected', http_status: 406 },
      sampleJob({ url: 'https://b.example/x' }),
    );
    const out = projectBatch([message(0, failed), message(1, delivered), message(2, rejected)]);
    expectEqual(
      out.rows.map((r) => r.attempt_id),
      [failed.attempt_id, rejected.attempt_id],
    );
    assert.equal(out.attempts, 3);
    expectEqual(out.invalid, []);
  });

  it('given the same attempt twice (a redelivery), then one row: the later record', () => {
    const again = { ...failed, attempted_at: failed.attempted_at + 5000, reason: 'HTTP 500: again' };
    const out = projectBatch([message(7, failed), message(8, again)]);
    assert.equal(out.rows.length, 1);
    expectEqual(
      [out.rows[0].attempted_at, out.rows[0].reason],
      [failed.attempted_at + 5000, 'HTTP 500: again'],
    );
  });

  it('given a wrapper, then each message is handled inside it, once, in order', () => {
    const seen: string[] = [];
    const out = projectBatch([message(1, failed), message(2, 'not json')], (m, handle) => {
      seen.push(m.offset);
      return handle();
    });
    expectEqual(seen, ['1', '2']);
    expectEqual([out.rows.length, out.invalid.length], [1, 1]);
  });

  it('given invalid records, then they are reported with their offsets and make no row', () => {
    const out = projectBatch([
      message(3, 'not json'),
      { offset: '4', value: null },
      message(5, { ...failed, outcome: 'exploded' }),
      message(6, failed),
    ]);
    expectEqual(
      out.invalid.map((i) => i.offset),
      ['3', '4', '5'],
    );
    assert.match(out.invalid[2].reason, /outcome/);
    assert.equal(out.rows.length, 1);
    assert.equal(out.attempts, 1);
  });
});

describe('rowProblem', () => {
  const row = failureRowOf(sampleAttempt())!;

  it('given an ordinary row, then none', () => {
    assert.equal(rowProblem(row), null);
  });

  it('given an id of MAX_KEY_BYTES bytes, then none; one byte more, then it names the id and its size', () => {
    assert.equal(rowProblem({ ...row, event_id: 'é'.repeat(MAX_KEY_BYTES / 2) }), null);
    assert.equal(
      rowProblem({ ...row, event_id: `${'é'.repeat(MAX_KEY_BYTES / 2)}x` }),
      `event_id is ${MAX_KEY_BYTES + 1} bytes long; the failure log keeps ids of at most ${MAX_KEY_BYTES}`,
    );
    assert.match(rowProblem({ ...row, domain: 'd'.repeat(5000) }) ?? '', /^domain is 5000 bytes/);
  });

  it('given a status beyond a 32-bit integer, then it is out of range', () => {
    assert.equal(rowProblem({ ...row, http_status: 2 ** 31 }), `http_status ${2 ** 31} is out of range`);
    assert.equal(rowProblem({ ...row, http_status: 2 ** 31 - 1 }), null);
  });
});

describe('projectBatch: records no row can hold', () => {
  it('given an over-long id between valid records, then it is rejected with its offset and reason; the rest make rows', () => {
    const first = sampleAttempt({}, sampleJob({ event_id: 'evt-1' }));
    const long = sampleAttempt({}, sampleJob({ event_id: 'x'.repeat(MAX_KEY_BYTES + 1) }));
    const last = sampleAttempt({}, sampleJob({ event_id: 'evt-3' }));
    const out = projectBatch([message(10, first), message(11, long), message(12, last)]);
    expectEqual(
      out.rows.map((r) => r.event_id),
      ['evt-1', 'evt-3'],
    );
    expectEqual(out.rejected, [
      {
        offset: '11',
        reason: `failure log: event_id is ${MAX_KEY_BYTES + 1} bytes long; the failure log keeps ids of at most ${MAX_KEY_BYTES}`,
      },
    ]);
    expectEqual([...out.offsets.values()], ['10', '12']);
    assert.equal(out.attempts, 3);
  });
});

describe('decodeLoggedAttempt', () => {
  const badJob = { ...sampleJob(), url: 'not a url', attempt: 0 };

  it('given a failed attempt whose job is malformed, then it decodes: a failed row keeps no job', () => {
    const decoded = decodeLoggedAttempt(JSON.stringify(sampleAttempt({ attempt: 1 }, badJob)));
    assert.ok(decoded.ok);
    assert.equal(failureRowOf(decoded.value)?.job, null);
  });

  for (const outcome of ['rejected', 'dropped'] as const) {
    it(`given a ${outcome} attempt whose job is malformed, then it is invalid, with the job's paths`, () => {
      const decoded = decodeLoggedAttempt(JSON.stringify(sampleAttempt({ outcome, attempt: 1 }, badJob)));
      assert.ok(!decoded.ok);
      assert.match(decoded.reason, /^job\.url: .*; job\.attempt: /);
    });
  }

  it('given a final attempt with a valid job, then the row keeps the job as validated', () => {
    const job = sampleJob();
    const decoded = decodeLoggedAttempt(JSON.stringify(sampleAttempt({ outcome: 'rejected' }, job)));
    assert.ok(decoded.ok);
    expectEqual(failureRowOf(decoded.value)?.job, job);
  });

  for (const job of [null, [], 'job']) {
    it(`given a failed attempt whose job is ${JSON.stringify(job)}, then it is invalid: the job must be an object`, () => {
      const decoded = decodeLoggedAttempt(JSON.stringify({ ...sampleAttempt(), job }));
      assert.ok(!decoded.ok);
      assert.match(decoded.reason, /^job: /);
    });
  }

  it('given an attempt without a job, then it is invalid', () => {
    const attempt: Record<string, unknown> = { ...sampleAttempt() };
    delete attempt.job;
    assert.equal(decodeLoggedAttempt(JSON.stringify(attempt)).ok, false);
  });
});
