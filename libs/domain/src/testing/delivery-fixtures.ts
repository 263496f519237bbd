import { attemptId, deliveryId, type DeliveryAttempt, type DeliveryJob } from '@hookpost/contracts';

/** A delivery job as fan-out makes it, for tests of the failure log. */
export function sampleJob(overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  const eventId = overrides.event_id ?? 'evt-1';
  const url = overrides.url ?? 'https://hooks.example.com/failed';
  return {
    delivery_id: deliveryId(eventId, url),
    event_id: eventId,
    webhook: 'permanent_fail',
    domain: 'mg.example.com',
    message_id: '<20250101.1@mg.example.com>',
    url,
    level: 'domain',
    attempt: 1,
    trigger: 'initial',
    created_at: 1_763_000_000_000,
    due_at: 1_763_000_000_000,
    event_data: { id: eventId, event: 'failed', severity: 'permanent', recipient: 'alice@example.com' },
    ...overrides,
  };
}

/** An attempt event of `job` with the given outcome (a 500 by default). */
export function sampleAttempt(
  overrides: Partial<DeliveryAttempt> = {},
  job: DeliveryJob = sampleJob(),
): DeliveryAttempt {
  const attempt = overrides.attempt ?? job.attempt;
  return {
    attempt_id: attemptId(job.delivery_id, attempt),
    delivery_id: job.delivery_id,
    event_id: job.event_id,
    webhook: job.webhook,
    domain: job.domain,
    account_id: 'acc-1',
    message_id: job.message_id,
    url: job.url,
    attempt,
    trigger: job.trigger,
    outcome: 'failed',
    http_status: 500,
    error_class: 'http_status',
    reason: 'HTTP 500: oops',
    duration_ms: 12.5,
    attempted_at: 1_763_000_000_123,
    job,
    ...overrides,
  };
}
