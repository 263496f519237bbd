import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

/** Mailgun's webhook signature: hex HMAC-SHA256 over timestamp + token with the signing key. */
export function signatureOf(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex');
}

/** A fresh 50-hex-character token, new for every attempt. */
export function newToken(): string {
  return randomBytes(25).toString('hex');
}

export function sign(signingKey: string, timestamp: string, token: string): MailgunSignature {
  return { timestamp, token, signature: signatureOf(signingKey, timestamp, token) };
}

export function verifySignature(signingKey: string, sig: MailgunSignature): boolean {
  if (!/^[0-9a-f]{64}$/.test(sig.signature)) return false;
  const expected = Buffer.from(signatureOf(signingKey, sig.timestamp, sig.token), 'hex');
  const given = Buffer.from(sig.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookBodyInput {
  eventData: Record<string, unknown>;
  signingKey: string;
  parentSigningKey: string | null;
  timestamp: string;
  token: string;
}

/** The POST body Mailgun sends; subaccount domains also carry `parent-signature` (primary's key). */
export function webhookBody(input: WebhookBodyInput): string {
  const body: Record<string, unknown> = {
    signature: sign(input.signingKey, input.timestamp, input.token),
  };
  if (input.parentSigningKey !== null) {
    body['parent-signature'] = sign(input.parentSigningKey, input.timestamp, input.token);
  }
  body['event-data'] = input.eventData;
  return JSON.stringify(body);
}

/**
 * Standard Webhooks (standardwebhooks.com), opt-in per account alongside Mailgun's signature. The
 * secret is the account's signing key: libraries take it as `whsec_` + base64 of the key's bytes.
 */
export function standardWebhooksSecret(signingKey: string): string {
  return `whsec_${Buffer.from(signingKey, 'utf8').toString('base64')}`;
}

/** `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}` (the exact bytes sent) with the secret's bytes. */
export function standardWebhookSignature(
  secret: Buffer,
  id: string,
  timestampS: string,
  body: string,
): string {
  const mac = createHmac('sha256', secret).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of Standard Webhooks; the id stays the same across retries of one delivery. */
export function standardWebhookHeaders(
  signingKey: string,
  id: string,
  timestampS: string,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': timestampS,
    'webhook-signature': standardWebhookSignature(Buffer.from(signingKey, 'utf8'), id, timestampS, body),
  };
}
