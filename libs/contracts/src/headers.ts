/** Kafka header names carried by every message Hookpost writes. */
export const HEADERS = {
  schema: 'hookpost-schema',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  rejectReason: 'hookpost-reject-reason',
  sourceTopic: 'hookpost-source-topic',
  sourcePartition: 'hookpost-source-partition',
  sourceOffset: 'hookpost-source-offset',
  /** On a rejected record too large to keep the original: its value's SHA-256 (hex) and size in bytes. */
  originalSha256: 'hookpost-original-sha256',
  originalBytes: 'hookpost-original-bytes',
} as const;

/** Schema name + version of each message value. */
export const SCHEMAS = {
  webhookEvent: 'hookpost.webhook-event.v1',
  deliveryJob: 'hookpost.delivery-job.v1',
  deliveryAttempt: 'hookpost.delivery-attempt.v1',
  configRecord: 'hookpost.config-record.v1',
  rejectedMailEvent: 'hookpost.rejected-mail-event.v1',
} as const;
