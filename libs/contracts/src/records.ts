/**
 * The records of the internal topics as bytes: how each is written and read. Input is validated once, at
 * the edge (ingest, the API); what is written here is trusted, so a stage reads only the part it needs:
 * a webhook event's envelope is in its headers and its value is the event data alone (redaction forwards
 * it unread, fan-out routes on the headers and puts the bytes into the POST body); an attempt event says
 * its outcome in a header and, when it carries its job, where the job starts.
 */
import type { IHeaders, Message } from 'kafkajs';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './event-types';
import { HEADERS, LEGACY_SCHEMAS, SCHEMAS } from './headers';
import {
  ATTEMPT_OUTCOMES,
  decodeJson,
  deliveryAttemptSchema,
  webhookEventSchema,
  type AttemptHead,
  type AttemptOutcome,
  type Decoded,
  type DeliveryAttempt,
  type DeliveryJobHead,
  type WebhookEvent,
} from './schemas';

/** A record as read: kafkajs' KafkaMessage, or anything with its value and headers. */
export interface RecordIn {
  value: Buffer | null;
  headers?: IHeaders;
}

/** A header's value as text (the first, if repeated); undefined when absent. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? undefined : typeof one === 'string' ? one : one.toString('utf8');
}

/**
 * `{...head, "<field>": <raw>}` as one buffer, written part by part (a concatenated string would be
 * flattened into a copy first); `headBytes`: the length before `,"<field>":` (`{...head` without its
 * closing brace), so `value.toString(0, headBytes) + '}'` is the head alone. `raw` must be JSON.
 */
export function spliceJson(
  head: object,
  field: string,
  raw: string | Buffer,
): { value: Buffer; headBytes: number } {
  const headJson = JSON.stringify(head);
  const name = `${JSON.stringify(field)}:`;
  const headLength = Buffer.byteLength(headJson);
  const nameLength = Buffer.byteLength(name);
  const rawLength = Buffer.isBuffer(raw) ? raw.length : Buffer.byteLength(raw);
  const empty = headJson === '{}';
  // `{...}` loses its closing brace: `{...,"field":raw}`; an empty head is just the brace: `{"field":raw}`
  const start = empty ? 1 : headLength;
  const value = Buffer.allocUnsafe(start + nameLength + rawLength + 1);
  value.write(headJson, 0, 'utf8');
  if (!empty) value[headLength - 1] = 0x2c; // ','
  value.write(name, start, 'utf8');
  if (Buffer.isBuffer(raw)) raw.copy(value, start + nameLength);
  else value.write(raw, start + nameLength, 'utf8');
  value[value.length - 1] = 0x7d; // '}'
  return { value, headBytes: empty ? 1 : headLength - 1 };
}

// ---------------------------------------------------------------------------------------------------
// webhook.events, webhook.events.redacted

export type EventEnvelope = Omit<WebhookEvent, 'event_data'>;

/** A webhook event as read from its record: the envelope, and the event data as the bytes it came in. */
export interface EventRecord {
  envelope: EventEnvelope;
  /** The event data's JSON (an object). */
  data: Buffer;
}

/**
 * A webhook event's record (SCHEMAS.webhookEvent): the event data's JSON as the value, the envelope in
 * headers, beside the trace context. Keyed by the event id: a busy domain's events spread over every
 * partition, and the same event (a redelivery) lands on the same one.
 */
export function eventMessage(
  envelope: EventEnvelope,
  data: Buffer | string,
  traceHeaders: Record<string, string>,
): Message {
  return {
    key: envelope.event_id,
    value: data,
    headers: { ...traceHeaders, ...envelopeHeaders(envelope) },
  };
}

function envelopeHeaders(envelope: EventEnvelope): Record<string, string> {
  return {
    [HEADERS.schema]: SCHEMAS.webhookEvent,
    [HEADERS.eventId]: envelope.event_id,
    [HEADERS.webhook]: envelope.webhook,
    [HEADERS.domain]: envelope.domain,
    [HEADERS.messageId]: envelope.message_id,
    [HEADERS.eventTimestamp]: String(envelope.timestamp),
    [HEADERS.receivedAt]: String(envelope.received_at),
    [HEADERS.redacted]: String(envelope.redacted),
  };
}

/** The same record with other event data (redaction): the envelope's headers, trace context included. */
export function withEventData(message: RecordIn, envelope: EventEnvelope, data: Buffer | string): Message {
  const headers: IHeaders = { ...message.headers, ...envelopeHeaders(envelope) };
  return { key: envelope.event_id, value: data, headers };
}

const EVENT_TYPES: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/**
 * A webhook event's record, read: the envelope from the headers, the value left as bytes (it was
 * validated by ingest). A `webhook-event.v1` record (the whole event as JSON), or one without a schema
 * header, is parsed and checked.
 * Anything else is refused with the reason: a record no stage can use goes to the rejected topic.
 */
export function readEventRecord(message: RecordIn): Decoded<EventRecord> {
  const schema = headerText(message.headers, HEADERS.schema);
  // v1, or a record written without a schema header (by hand, by a tool): the whole event as JSON.
  if (schema === LEGACY_SCHEMAS.webhookEvent || schema === undefined) {
    const decoded = decodeJson(webhookEventSchema, message.value);
    if (!decoded.ok) return decoded;
    const { event_data, ...envelope } = decoded.value;
    return { ok: true, value: { envelope, data: Buffer.from(JSON.stringify(event_data)) } };
  }
  if (schema !== SCHEMAS.webhookEvent) return { ok: false, reason: `unknown schema ${String(schema)}` };
  if (message.value === null || message.value.length === 0) {
    return { ok: false, reason: 'empty message value' };
  }
  const h = message.headers;
  const text = (name: string) => headerText(h, name);
  const eventId = text(HEADERS.eventId);
  const webhook = text(HEADERS.webhook);
  const domain = text(HEADERS.domain);
  const messageId = text(HEADERS.messageId);
  const timestamp = Number(text(HEADERS.eventTimestamp));
  const receivedAt = Number(text(HEADERS.receivedAt));
  const redacted = text(HEADERS.redacted);
  if (!eventId || !domain || !messageId) return { ok: false, reason: 'envelope header missing' };
  if (webhook === undefined || !EVENT_TYPES.has(webhook)) {
    return { ok: false, reason: `${HEADERS.webhook}: not an event type` };
  }
  if (!Number.isFinite(timestamp) || !Number.isSafeInteger(receivedAt)) {
    return { ok: false, reason: `${HEADERS.eventTimestamp} or ${HEADERS.receivedAt}: not a number` };
  }
  if (redacted !== 'true' && redacted !== 'false') {
    return { ok: false, reason: `${HEADERS.redacted}: neither true nor false` };
  }
  return {
    ok: true,
    value: {
      envelope: {
        event_id: eventId,
        webhook: webhook as WebhookEventType,
        domain,
        message_id: messageId,
        timestamp,
        received_at: receivedAt,
        redacted: redacted === 'true',
      },
      data: message.value,
    },
  };
}

/** The whole event of a record (its data parsed): for the stages that change it, and for tests. */
export function decodeWebhookEvent(message: RecordIn): Decoded<WebhookEvent> {
  const record = readEventRecord(message);
  if (!record.ok) return record;
  let data: unknown;
  try {
    data = JSON.parse(record.value.data.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `event data is not JSON: ${(err as Error).message}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'event data is not an object' };
  }
  return { ok: true, value: { ...record.value.envelope, event_data: data as Record<string, unknown> } };
}

// ---------------------------------------------------------------------------------------------------
// webhook.deliveries, webhook.retry.*, webhook.deliveries.dead (jobs), webhook.delivery-attempts

/** A job's JSON from its head and its event data's JSON (as bytes or text), without parsing the data. */
export function jobJson(head: DeliveryJobHead, eventData: Buffer | string): Buffer {
  return spliceJson(head, 'event_data', eventData).value;
}

/**
 * An attempt event (SCHEMAS.deliveryAttempt): the attempt's fields, and its job when `job` is given (only
 * failures that may be retried or resent: `jobNeeded`). Headers: the outcome, and where the job starts.
 * Keyed by delivery id: a delivery's attempts stay in order on one partition.
 */
export function attemptMessage(
  attempt: AttemptHead,
  job: Buffer | string | null,
  traceHeaders: Record<string, string>,
): Message {
  const headers: Record<string, string> = {
    ...traceHeaders,
    [HEADERS.schema]: SCHEMAS.deliveryAttempt,
    [HEADERS.outcome]: attempt.outcome,
  };
  if (job === null) return { key: attempt.delivery_id, value: JSON.stringify(attempt), headers };
  const { value, headBytes } = spliceJson(attempt, 'job', job);
  headers[HEADERS.headBytes] = String(headBytes);
  return { key: attempt.delivery_id, value, headers };
}

const OUTCOMES: ReadonlySet<string> = new Set(ATTEMPT_OUTCOMES);

/** An attempt event's outcome from its header, unread; undefined for a record without it (v1). */
export function attemptOutcomeOf(message: RecordIn): AttemptOutcome | undefined {
  const outcome = headerText(message.headers, HEADERS.outcome);
  return outcome !== undefined && OUTCOMES.has(outcome) ? (outcome as AttemptOutcome) : undefined;
}

/** An attempt event, read whole (job included when it has one) and checked. */
export function decodeAttempt(message: RecordIn): Decoded<DeliveryAttempt> {
  return decodeJson(deliveryAttemptSchema, message.value);
}

const attemptHeadSchema = deliveryAttemptSchema.omit({ job: true });

/**
 * An attempt event's own fields, without parsing its job where the record says where the job starts
 * (`HEADERS.headBytes`); a record without that header is parsed whole and its job dropped.
 */
export function decodeAttemptHead(message: RecordIn): Decoded<AttemptHead> {
  const headBytes = Number(headerText(message.headers, HEADERS.headBytes));
  const value = message.value;
  if (value !== null && Number.isSafeInteger(headBytes) && headBytes > 0 && headBytes < value.length) {
    return decodeJson(attemptHeadSchema, `${value.toString('utf8', 0, headBytes)}}`);
  }
  const whole = decodeJson(attemptHeadSchema, value);
  return whole;
}
