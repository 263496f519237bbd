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
