import {
  deliveryId,
  type AccountRecord,
  type DeliveryJob,
  type DeliveryJobHead,
  type WebhookEventType,
} from '@hookpost/contracts';
import { isSubaccount, primaryIdOf } from './accounts';
import { ownersOf, type ConfigState } from './config-state';
import { eventDataAtAttempt, type AttemptEventData } from './redact-at-attempt';
import { sampleEventData } from './samples/sample-event';
import { signedRequest, type SignedRequest } from './signature';

export type PreparedDelivery =
  | {
      ok: true;
      accountId: string;
      body: string | Buffer;
      headers: Record<string, string>;
      data: AttemptEventData;
    }
  | { ok: false; accountId: string | null; reason: string; data: AttemptEventData };

/** A job as its head and its event data (a job read from its topic: the data parsed already). */
export function jobParts(job: DeliveryJob): [DeliveryJobHead, AttemptEventData] {
  const { event_data, ...head } = job;
  return [head, { json: JSON.stringify(event_data), parsed: event_data, redacted: false }];
}

/**
 * The key of an attempt's `parent-signature`, or null for none. Only a subaccount's domain has one (the
 * primary's key). A job of the primary's own account-level webhook (`webhook_account_id`) always gets it;
 * any other is the subaccount's (its domain's or its account-level webhooks), and gets it unless the
 * primary turned `parent_signature` off (absent = on, Mailgun's behaviour). Decided at each attempt from
 * the view in force, so a retry or resend follows the setting of its moment.
 */
export function parentSigningKeyFor(
  state: ConfigState,
  job: Pick<DeliveryJob, 'url' | 'webhook' | 'webhook_account_id'>,
  primary: AccountRecord | null,
): string | null {
  if (primary === null) return null;
  if (primary.parent_signature !== false) return primary.signing_key;
  // The job names whose webhook it is; a job from before that field is matched against the primary's
  // account-level webhooks.
  const primaryOwns =
    job.webhook_account_id !== undefined
      ? job.webhook_account_id === primary.id
      : (state.accountWebhooks.get(primary.id)?.webhooks ?? []).some(
          (hook) => hook.url === job.url && hook.event_types.includes(job.webhook),
        );
  return primaryOwns ? primary.signing_key : null;
}

/**
 * The signed body of one attempt (signedRequest): signed with the domain owner's key, plus
 * `parent-signature` with the primary's key for a subaccount's domain (see parentSigningKeyFor); and, when
 * the account opted in, the Standard Webhooks headers over that exact body. The event data is put under
 * the PII policy in force now (`eventDataAtAttempt`: parsed only when that changes it) and goes into the
 * body as JSON text, as it came; `data` is what was attempted (what a failure's attempt event carries
 * on). Time and token come in, so this stays pure.
 */
export function prepareDelivery(
  state: ConfigState,
  job: DeliveryJobHead,
  eventData: AttemptEventData,
  nowMs: number,
  token: string,
): PreparedDelivery {
  const data = eventDataAtAttempt(state, job, eventData);
  const owners = ownersOf(state, job.domain);
  if (!owners)
    return { ok: false, accountId: null, reason: `no account configured for domain ${job.domain}`, data };
  const { account, primary } = owners;
  if (primary === null && isSubaccount(account)) {
    return {
      ok: false,
      accountId: account.id,
      reason: `primary account ${primaryIdOf(account)} is not configured`,
      data,
    };
  }
  const { body, headers } = signedRequest({
    account,
    parentSigningKey: parentSigningKeyFor(state, job, primary),
    deliveryId: job.delivery_id,
    eventDataJson: data.json,
    nowMs,
    token,
  });
  return { ok: true, accountId: account.id, body, headers, data };
}

/**
 * Mailgun's "test webhook": a sample payload of the event type on the domain, signed as a real delivery
 * of the account is (signedRequest: Mailgun's signature, and the Standard Webhooks headers when the
 * account has them on, `webhook-id` being the delivery id of the sample event and the URL). Never with
 * `parent-signature`: the caller picks the URL and receives the triple, and Mailgun's signature covers
 * timestamp + token only, so it would be valid for any body sent to the primary. Event id, time and token
 * come in, so this stays pure.
 */
export function prepareTestSend(input: {
  account: { signing_key: string; standard_webhooks: boolean };
  domain: string;
  webhook: WebhookEventType;
  url: string;
  eventId: string;
  nowMs: number;
  token: string;
}): SignedRequest {
  return signedRequest({
    account: input.account,
    parentSigningKey: null,
    deliveryId: deliveryId(input.eventId, input.url),
    eventDataJson: JSON.stringify(sampleEventData(input.webhook, input.domain, input.nowMs, input.eventId)),
    nowMs: input.nowMs,
    token: input.token,
  });
}
