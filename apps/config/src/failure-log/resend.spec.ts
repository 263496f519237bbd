import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../../libs/domain/src/testing/expect-equal';
import { planResend, type LatestFailure } from './resend';
import { sampleJob } from './testing/fixtures';

const NOW = 1_763_200_000_000;

/** The latest row of a delivery as the log holds it: the job on final rows only. */
function latest(attempt: number, final: boolean, url = 'https://hooks.example.com/a') {
  const job = sampleJob({ url, attempt: final ? attempt - 1 : attempt, trigger: 'retry' });
  return {
    delivery_id: job.delivery_id,
    url,
    attempt,
    final,
    job: final ? job : null,
  } satisfies LatestFailure;
}

describe('planResend', () => {
  it('given a dropped delivery (given up at attempt 9), then it goes again as attempt 10, manual, due now', () => {
    const dropped = latest(9, true);
    expectEqual(planResend([dropped], new Map(), NOW), {
      jobs: [{ ...dropped.job!, attempt: 10, trigger: 'manual', due_at: NOW }],
      busy: [],
    });
  });

  it('given a rejected delivery, then the job keeps the event data, URL, level and creation time', () => {
    const rejected = latest(1, true);
    const [job] = planResend([rejected], new Map(), NOW).jobs;
    expectEqual(
      [job.event_data, job.url, job.level, job.created_at, job.delivery_id, job.attempt],
      [rejected.job!.event_data, rejected.url, 'domain', rejected.job!.created_at, rejected.delivery_id, 2],
    );
  });

  it('given a delivery whose last failure is not final, then it is left to its retry', () => {
    const retrying = latest(2, false);
    expectEqual(planResend([retrying], new Map(), NOW), { jobs: [], busy: [retrying.delivery_id] });
  });

  it('given an earlier resend not yet accounted for (issued 10, last failure 9), then it is left alone', () => {
    const dropped = latest(9, true);
    expectEqual(planResend([dropped], new Map([[dropped.delivery_id, 10]]), NOW), {
      jobs: [],
      busy: [dropped.delivery_id],
    });
  });

  it('given an earlier resend that failed for good (issued 10, rejected at 10), then it goes again as 11', () => {
    const rejected = latest(10, true);
    const plan = planResend([rejected], new Map([[rejected.delivery_id, 10]]), NOW);
    expectEqual(
      plan.jobs.map((j) => j.attempt),
      [11],
    );
  });

  it('given a final row without its job (never written so; the table checks it), then nothing is sent', () => {
    const broken = { ...latest(2, true), job: null };
    expectEqual(planResend([broken], new Map(), NOW), { jobs: [], busy: [broken.delivery_id] });
  });

  it('given several deliveries of the event, then each is judged on its own', () => {
    const a = latest(3, true, 'https://a.example/');
    const b = latest(2, false, 'https://b.example/');
    const c = latest(1, true, 'https://c.example/');
    const plan = planResend([a, b, c], new Map(), NOW);
    expectEqual(
      plan.jobs.map((j) => [j.url, j.attempt]),
      [
        ['https://a.example/', 4],
        ['https://c.example/', 2],
      ],
    );
    expectEqual(plan.busy, [b.delivery_id]);
  });
});
