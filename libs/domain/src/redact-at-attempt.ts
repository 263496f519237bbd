import type { DeliveryJob, DeliveryJobHead } from '@hookpost/contracts';
import { primaryIn, type ConfigState } from './config-state';
import { isRedacted, redactEventData } from './redact';

/**
 * Whether the PII policy in force requires redaction for `domainName`: the domain's own flag, or its
 * primary account's (its own account's when that is a primary). Fails closed: a domain, account or primary
 * the view does not hold (not there yet, or deleted since) is redacted, never sent in clear.
 */
export function redactionRequired(state: ConfigState, domainName: string): boolean {
  const domain = state.domains.get(domainName);
  if (!domain) return true;
  if (domain.redact_pii) return true;
  const account = state.accounts.get(domain.account_id);
  if (!account) return true;
  return primaryIn(state, account)?.redact_pii ?? true;
}

/**
 * The job as it is attempted now: its event data under the policy in force at this moment (seed 001:
 * "just before we attempt to deliver"), for first attempts, retries and resends alike. The same object
 * when nothing changes (redaction off, or the data already redacted upstream), so the common case costs
 * a few lookups and no copy; a copy with the table's fields replaced otherwise. Redaction turned off
 * since cannot restore what a job lost: it carries only the data as it was redacted.
 */
export function jobAtAttempt(state: ConfigState, job: DeliveryJob): DeliveryJob {
  if (!redactionRequired(state, job.domain) || isRedacted(job.webhook, job.event_data)) return job;
  return { ...job, event_data: redactEventData(job.webhook, job.event_data) };
}

/** An attempt's event data: its JSON, and what is known of it already. */
export interface AttemptEventData {
  /**
   * The event data's JSON: text, or its UTF-8 bytes as an event record carried them (ingest wrote them as
   * JSON.stringify's well-formed text), which go into the POST body without being decoded.
   */
  json: string | Buffer;
  /** Its parse, where the caller has it (a job read from its topic); absent for an event's bytes. */
  parsed?: Record<string, unknown>;
  /** Known to be under the PII table already (the event record's `redacted` header). */
  redacted: boolean;
}

/**
 * The event data as it is attempted now, under the PII policy in force (as `jobAtAttempt`): the same
 * object when the policy does not redact, or the data is known to be redacted; parsed only when the policy
 * redacts and the data may still hold the values (the policy was turned on since, or a job from before).
 */
export function eventDataAtAttempt(
  state: ConfigState,
  job: Pick<DeliveryJobHead, 'domain' | 'webhook'>,
  data: AttemptEventData,
): AttemptEventData {
  if (data.redacted || !redactionRequired(state, job.domain)) return data;
  const parsed = data.parsed ?? (JSON.parse(data.json.toString()) as Record<string, unknown>);
  if (isRedacted(job.webhook, parsed)) return { json: data.json, parsed, redacted: true };
  const redacted = redactEventData(job.webhook, parsed);
  return { json: JSON.stringify(redacted), parsed: redacted, redacted: true };
}
