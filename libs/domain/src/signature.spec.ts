import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  standardWebhookHeaders,
  standardWebhookSignature,
  standardWebhooksSecret,
  newToken,
  sign,
  signatureOf,
  signedRequest,
  verifySignature,
  webhookBody,
  type MailgunSignature,
} from './signature';
import { SEED_DELIVERED } from './testing/seed-events';

const KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const PARENT_KEY = 'key-parent-0123456789abcdef';
const TIMESTAMP = '1770146798';
const TOKEN = '0f8d7c6b5a49382716ab0c9d8e7f6a5b4c3d2e1f00112233ab';

/** Computed here, independently of the code under test. */
function expectedHmac(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', key).update(`${timestamp}${token}`, 'utf8').digest('hex');
}

describe('signatureOf / sign', () => {
  it('given a key, timestamp and token, when signed, then the signature is hex HMAC-SHA256 of timestamp+token', () => {
    const expected = expectedHmac(KEY, TIMESTAMP, TOKEN);
    assert.match(expected, /^[0-9a-f]{64}$/);
    assert.equal(signatureOf(KEY, TIMESTAMP, TOKEN), expected);
    assert.deepEqual(sign(KEY, TIMESTAMP, TOKEN), {
      timestamp: TIMESTAMP,
      token: TOKEN,
      signature: expected,
    });
  });

  it('given a different key, timestamp or token, when signed, then the signature differs', () => {
    const base = signatureOf(KEY, TIMESTAMP, TOKEN);
    assert.notEqual(signatureOf(PARENT_KEY, TIMESTAMP, TOKEN), base);
    assert.notEqual(signatureOf(KEY, '1770146799', TOKEN), base);
    assert.notEqual(signatureOf(KEY, TIMESTAMP, `${TOKEN.slice(0, -1)}c`), base);
  });
});

describe('newToken', () => {
  it('when a token is made, then it is 50 lower-case hex characters and fresh each time', () => {
    // More than one pool refill (1024 tokens each): every token still unique.
    const tokens = new Set(Array.from({ length: 3000 }, () => newToken()));
    assert.equal(tokens.size, 3000);
    for (const token of tokens) assert.match(token, /^[0-9a-f]{50}$/);
  });
});

describe('verifySignature', () => {
  const good = sign(KEY, TIMESTAMP, TOKEN);

  it('given a signature made with the key, when verified with the same key, then it holds', () => {
    assert.equal(verifySignature(KEY, good), true);
  });

  const flip = (hex: string) => (hex[0] === 'a' ? 'b' : 'a') + hex.slice(1);
  const tampered: Array<[string, MailgunSignature, string]> = [
    ['another key', good, PARENT_KEY],
    ['an empty key', good, ''],
    ['a changed timestamp', { ...good, timestamp: '1770146799' }, KEY],
    ['a changed token', { ...good, token: flip(TOKEN) }, KEY],
    ['a changed signature', { ...good, signature: flip(good.signature) }, KEY],
    ['a truncated signature', { ...good, signature: good.signature.slice(0, 62) }, KEY],
    ['an empty signature', { ...good, signature: '' }, KEY],
    ['a non-hex signature', { ...good, signature: 'z'.repeat(64) }, KEY],
    ['a signature with trailing garbage', { ...good, signature: `${good.signature}zz` }, KEY],
    ['a signature with one extra hex digit', { ...good, signature: `${good.signature}0` }, KEY],
    ['a signature with an extra byte', { ...good, signature: `${good.signature}00` }, KEY],
    ['an upper-case signature', { ...good, signature: good.signature.toUpperCase() }, KEY],
    ['timestamp and token swapped', { ...good, timestamp: TOKEN, token: TIMESTAMP }, KEY],
  ];
  for (const [name, sig, key] of tampered) {
    it(`given ${name}, when verified, then it is rejected`, () => {
      assert.equal(verifySignature(key, sig), false);
    });
  }
});

describe('webhookBody', () => {
  it('given no parent key, when the body is built, then it holds exactly signature and event-data', () => {
    const body = JSON.parse(
      webhookBody({
        eventData: SEED_DELIVERED,
        signingKey: KEY,
        parentSigningKey: null,
        timestamp: TIMESTAMP,
        token: TOKEN,
      }),
    ) as Record<string, unknown>;

    assert.deepEqual(Object.keys(body), ['signature', 'event-data']);
    assert.deepEqual(body.signature, {
      timestamp: TIMESTAMP,
      token: TOKEN,
      signature: expectedHmac(KEY, TIMESTAMP, TOKEN),
    });
    assert.deepEqual(body['event-data'], SEED_DELIVERED);
  });

  it('given a parent key, when the body is built, then parent-signature is made with the parent key over the same timestamp and token', () => {
    const body = JSON.parse(
      webhookBody({
        eventData: SEED_DELIVERED,
        signingKey: KEY,
        parentSigningKey: PARENT_KEY,
        timestamp: TIMESTAMP,
        token: TOKEN,
      }),
    ) as Record<string, MailgunSignature>;

    assert.deepEqual(Object.keys(body), ['signature', 'parent-signature', 'event-data']);
    const own = body.signature;
    const parent = body['parent-signature'];
    assert.equal(own.signature, expectedHmac(KEY, TIMESTAMP, TOKEN));
    assert.equal(parent.signature, expectedHmac(PARENT_KEY, TIMESTAMP, TOKEN));
    assert.equal(parent.timestamp, TIMESTAMP);
    assert.equal(parent.token, TOKEN);
    assert.equal(verifySignature(PARENT_KEY, parent), true);
    assert.equal(verifySignature(KEY, parent), false);
    assert.equal(verifySignature(KEY, own), true);
    assert.equal(verifySignature(PARENT_KEY, own), false);
  });
});

describe('Standard Webhooks', () => {
  it("given the specification's published test vector, then the signature matches it", () => {
    // standard-webhooks/standard-webhooks spec: secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw.
    const secret = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    assert.equal(
      standardWebhookSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', '1614265330', '{"test": 2432232314}'),
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('given a signing key, then its whsec_ secret decodes back to the key, and the headers verify with it', () => {
    const secret = standardWebhooksSecret('0123456789abcdef0123456789abcdef');
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64');
    assert.equal(bytes.toString('utf8'), '0123456789abcdef0123456789abcdef');
    const headers = standardWebhookHeaders(
      '0123456789abcdef0123456789abcdef',
      'dlv_1',
      '1700000000',
      '{"a":1}',
    );
    assert.equal(
      headers['webhook-signature'],
      standardWebhookSignature(bytes, 'dlv_1', '1700000000', '{"a":1}'),
    );
    assert.equal(headers['webhook-id'], 'dlv_1');
    assert.equal(headers['webhook-timestamp'], '1700000000');
  });
});

describe('signedRequest', () => {
  const input = {
    parentSigningKey: null,
    deliveryId: 'dlv_1',
    eventDataJson: JSON.stringify(SEED_DELIVERED),
    nowMs: Number(TIMESTAMP) * 1000 + 999,
    token: TOKEN,
  };

  it('given an account without Standard Webhooks, then the body is signed with its key and no header is added', () => {
    const signed = signedRequest({ ...input, account: { signing_key: KEY, standard_webhooks: false } });
    const body = JSON.parse(signed.body.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['signature', 'event-data']);
    assert.deepEqual(body.signature, sign(KEY, TIMESTAMP, TOKEN));
    assert.equal(verifySignature(KEY, body.signature as MailgunSignature), true);
    assert.deepEqual(signed.headers, {});
  });

  it('given an account with Standard Webhooks on, then its three headers sign the exact body, the delivery id as webhook-id', () => {
    const signed = signedRequest({ ...input, account: { signing_key: KEY, standard_webhooks: true } });
    const mac = createHmac('sha256', Buffer.from(KEY))
      .update(`dlv_1.${TIMESTAMP}.${signed.body}`)
      .digest('base64');
    assert.deepEqual(signed.headers, {
      'webhook-id': 'dlv_1',
      'webhook-timestamp': TIMESTAMP,
      'webhook-signature': `v1,${mac}`,
    });
  });

  it('given the event data as its UTF-8 bytes, then the body and every signature are byte for byte those of the text', () => {
    const json = JSON.stringify({ ...SEED_DELIVERED, recipient: 'ünïcødé 😀 <a@example.com>' });
    for (const parentSigningKey of [null, PARENT_KEY]) {
      const account = { signing_key: KEY, standard_webhooks: true };
      const fromText = signedRequest({ ...input, parentSigningKey, account, eventDataJson: json });
      const fromBytes = signedRequest({
        ...input,
        parentSigningKey,
        account,
        eventDataJson: Buffer.from(json, 'utf8'),
      });
      assert.ok(Buffer.isBuffer(fromBytes.body), 'bytes in, bytes out: nothing decoded');
      assert.deepEqual(fromBytes.body, Buffer.from(fromText.body as string, 'utf8'));
      assert.deepEqual(fromBytes.headers, fromText.headers);
    }
  });

  it('given a parent key, then the body carries parent-signature over the same timestamp and token', () => {
    const signed = signedRequest({
      ...input,
      parentSigningKey: PARENT_KEY,
      account: { signing_key: KEY, standard_webhooks: false },
    });
    const body = JSON.parse(signed.body.toString()) as Record<string, MailgunSignature>;
    assert.equal(body['parent-signature'].signature, expectedHmac(PARENT_KEY, TIMESTAMP, TOKEN));
  });
});
