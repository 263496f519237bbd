import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

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

const TOKEN_BYTES = 25;
const pool = Buffer.allocUnsafe(TOKEN_BYTES * 1024);
let poolOffset = pool.length;

/**
 * A fresh 50-hex-character token, new for every attempt: 25 bytes of the CSPRNG, drawn from a pool
 * refilled 1024 tokens at a time (one system call per refill instead of one per POST).
 */
export function newToken(): string {
  if (poolOffset + TOKEN_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const token = pool.toString('hex', poolOffset, poolOffset + TOKEN_BYTES);
  poolOffset += TOKEN_BYTES;
  return token;
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
  const { eventData, ...rest } = input;
  return webhookBodyAround({ ...rest, eventDataJson: JSON.stringify(eventData) });
}

/**
 * The same body around event data that is JSON already (the bytes ingest wrote): its text goes in as it
 * is, unparsed. The same bytes as `webhookBody` of the parsed data: `signature`, `parent-signature`,
 * `event-data`, in that order.
 */
export function webhookBodyAround(
  input: Omit<WebhookBodyInput, 'eventData'> & { eventDataJson: string },
): string;
export function webhookBodyAround(
  input: Omit<WebhookBodyInput, 'eventData'> & { eventDataJson: string | Buffer },
): string | Buffer;
export function webhookBodyAround(
  input: Omit<WebhookBodyInput, 'eventData'> & { eventDataJson: string | Buffer },
): string | Buffer {
  let head = `{"signature":${JSON.stringify(sign(input.signingKey, input.timestamp, input.token))}`;
  if (input.parentSigningKey !== null) {
    head += `,"parent-signature":${JSON.stringify(sign(input.parentSigningKey, input.timestamp, input.token))}`;
  }
  head += ',"event-data":';
  const data = input.eventDataJson;
  if (typeof data === 'string') return `${head}${data}}`;
  // Bytes: one buffer of the exact size, the event data copied in once (no text decoded or encoded).
  const headLength = Buffer.byteLength(head);
  const body = Buffer.allocUnsafe(headLength + data.length + 1);
  body.write(head, 0, 'utf8');
  data.copy(body, headLength);
  body[body.length - 1] = 0x7d; // '}'
  return body;
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
  body: string | Buffer,
): string {
  const mac = createHmac('sha256', secret).update(`${id}.${timestampS}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of Standard Webhooks; the id stays the same across retries of one delivery. */
export function standardWebhookHeaders(
  signingKey: string,
  id: string,
  timestampS: string,
  body: string | Buffer,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': timestampS,
    'webhook-signature': standardWebhookSignature(Buffer.from(signingKey, 'utf8'), id, timestampS, body),
  };
}

/** One signed POST: its body (bytes when the event data came as bytes) and the headers that go with it. */
export interface SignedRequest {
  body: string | Buffer;
  headers: Record<string, string>;
}

/**
 * The signing of every POST, real deliveries and test sends alike: the body around the event data's
 * JSON with Mailgun's `signature` (the account's key), `parent-signature` when a parent key is given,
 * and, when the account opted in, the Standard Webhooks headers over that exact body, the delivery id as
 * `webhook-id`. The timestamp is whole seconds of `nowMs`; time and token come in, so this stays pure.
 */
export function signedRequest(input: {
  account: { signing_key: string; standard_webhooks: boolean };
  parentSigningKey: string | null;
  deliveryId: string;
  eventDataJson: string | Buffer;
  nowMs: number;
  token: string;
}): SignedRequest {
  const { account } = input;
  const timestamp = String(Math.floor(input.nowMs / 1000));
  const body = webhookBodyAround({
    eventDataJson: input.eventDataJson,
    signingKey: account.signing_key,
    parentSigningKey: input.parentSigningKey,
    timestamp,
    token: input.token,
  });
  const headers = account.standard_webhooks
    ? standardWebhookHeaders(account.signing_key, input.deliveryId, timestamp, body)
    : {};
  return { body, headers };
}
