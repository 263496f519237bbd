import { HEADERS } from '@hookpost/contracts';
import type { IHeaders } from 'kafkajs';

/**
 * W3C trace context carried from one Kafka message to what it produces, and onto outgoing POSTs.
 */
export function traceHeadersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const name of [HEADERS.traceparent, HEADERS.tracestate]) {
    const value = headers[name];
    if (value !== undefined && value !== null)
      out[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}
