// Mailgun's webhook signature check, shared by the try-it receiver and `npm run demo`. Zero dependencies.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** True when `sig.signature` is the hex HMAC-SHA256 of `sig.timestamp + sig.token` with `key`. */
export function signatureValid(key, sig) {
  const { timestamp, token, signature } = sig ?? {};
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = createHmac('sha256', key).update(`${timestamp}${token}`).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
