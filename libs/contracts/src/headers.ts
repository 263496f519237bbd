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
  // A webhook event's envelope (SCHEMAS.webhookEvent v2: the value is the event data alone), set by ingest
  // and carried on unchanged: later stages route on these without reading the value.
  eventId: 'hookpost-event-id',
  webhook: 'hookpost-webhook',
  domain: 'hookpost-domain',
  messageId: 'hookpost-message-id',
  eventTimestamp: 'hookpost-event-timestamp',
  receivedAt: 'hookpost-received-at',
  /** `true` once the event data is under the PII table (set by redaction). */
  redacted: 'hookpost-redacted',
  /** An attempt event's outcome: the retry router and the failure log skip a delivered one unread. */
  outcome: 'hookpost-outcome',
  /**
   * On an attempt event that carries its job: the byte length of the value before `,"job":`, so a reader
   * that needs the attempt's own fields parses only those (the job is most of the record).
   */
  headBytes: 'hookpost-head-bytes',
} as const;

/** Schema name + version of each message value. */
export const SCHEMAS = {
  /** Value: the event data's JSON; the envelope in headers (HEADERS.eventId ... HEADERS.redacted). */
  webhookEvent: 'hookpost.webhook-event.v2',
  deliveryJob: 'hookpost.delivery-job.v1',
  /** The attempt's JSON; `job` only on a failure (HEADERS.outcome, HEADERS.headBytes). */
  deliveryAttempt: 'hookpost.delivery-attempt.v2',
  configRecord: 'hookpost.config-record.v1',
  rejectedMailEvent: 'hookpost.rejected-mail-event.v1',
} as const;

/**
 * Schemas written by earlier versions, still read: records on a topic when the new version is deployed.
 * `webhook-event.v1`: the whole event as JSON (envelope and `event_data`); `delivery-attempt.v1`: every
 * attempt with its job.
 */
export const LEGACY_SCHEMAS = {
  webhookEvent: 'hookpost.webhook-event.v1',
  deliveryAttempt: 'hookpost.delivery-attempt.v1',
} as const;
