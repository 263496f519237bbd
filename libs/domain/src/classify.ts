import type { AttemptOutcome, ErrorClass } from '@hookpost/contracts';

export const MAX_REASON_BYTES = 1024;

export type DeliveryResult =
  | { kind: 'response'; status: number; body: string }
  | {
      kind: 'error';
      errorClass: Exclude<
        ErrorClass,
        'http_status' | 'schedule_exhausted' | 'retry_excluded' | 'interrupted'
      >;
      message: string;
    };

export interface Classification {
  outcome: Exclude<AttemptOutcome, 'dropped'>;
  httpStatus: number | null;
  errorClass: ErrorClass | null;
  reason: string | null;
}

/** 2xx = delivered; 406 = rejected (never retried); anything else = failed, retryable. */
export function classify(result: DeliveryResult): Classification {
  if (result.kind === 'error') {
    return {
      outcome: 'failed',
      httpStatus: null,
      errorClass: result.errorClass,
      reason: truncate(result.message),
    };
  }
  const { status } = result;
  if (status >= 200 && status < 300)
    return { outcome: 'delivered', httpStatus: status, errorClass: null, reason: null };
  const reason = truncate(`HTTP ${status}${result.body ? `: ${result.body}` : ''}`);
  if (status === 406) return { outcome: 'rejected', httpStatus: status, errorClass: 'http_status', reason };
  return { outcome: 'failed', httpStatus: status, errorClass: 'http_status', reason };
}

/** Cuts a string to at most MAX_REASON_BYTES bytes of UTF-8 without splitting a character. */
export function truncate(text: string, maxBytes = MAX_REASON_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return bytes
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}
