import { hash } from 'node:crypto';

/** SHA-256 of the parts joined by newlines, hex, first 32 characters (one-shot `hash`: ~0.2 µs, `createHash` ~0.6). */
function digest(...parts: string[]): string {
  return hash('sha256', parts.join('\n'), 'hex').slice(0, 32);
}

/** A delivery is one (event, URL) pair; replays and redeliveries keep its id. */
export function deliveryId(eventId: string, url: string): string {
  return `dlv_${digest(eventId, url)}`;
}

/** An attempt is one POST of a delivery; the same attempt number always gives the same id. */
export function attemptId(delivery: string, attempt: number): string {
  return `atm_${digest(delivery, String(attempt))}`;
}

/**
 * The record of a POST whose outcome was lost when the dispatcher stopped: its own id, so it never replaces
 * the event of the same attempt made again; the same entry always gives the same id.
 */
export function interruptedAttemptId(delivery: string, attempt: number, attemptedAt: number): string {
  return `atm_${digest(delivery, String(attempt), 'interrupted', String(attemptedAt))}`;
}
