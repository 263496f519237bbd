import diagnosticsChannel from 'node:diagnostics_channel';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { HEADERS } from '@hookpost/contracts';
import type { IHeaders } from 'kafkajs';
import { serializeError } from './logger';
import { spansRecorded } from './recording';

const tracer = () => trace.getTracer('hookpost');

type Carrier = IHeaders | Record<string, string> | undefined;

const headerGetter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier ?? {}),
  get: (carrier, key) => {
    const value = (carrier as IHeaders | undefined)?.[key];
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

/** The W3C trace context a Kafka message carries (an empty context when it carries none). */
export function contextOf(headers: Carrier): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/**
 * W3C trace context for what is produced now: the active span's (the per-message process span of the
 * consumer), or, outside any span, the one the source message carried.
 */
export function traceHeadersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const active = context.active();
  if (trace.getSpan(active)) {
    propagation.inject(active, out);
    return out;
  }
  if (!headers) return out;
  for (const name of [HEADERS.traceparent, HEADERS.tracestate]) {
    const value = headers[name];
    if (value !== undefined && value !== null)
      out[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key?: Buffer | string | null;
  headers?: IHeaders;
  groupId: string;
}

function processAttributes(m: ConsumedMessage): Attributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': m.topic,
    'messaging.destination.partition.id': String(m.partition),
    'messaging.consumer.group.name': m.groupId,
    'messaging.kafka.offset': Number(m.offset),
  };
}

/** Marks the span failed with the error as serializeError keeps it (never a statement's parameters). */
function fail(span: Span, err: unknown): void {
  const { type, message, stack, code } = serializeError(err);
  span.recordException({
    name: type,
    message,
    ...(stack !== undefined && { stack }),
    ...((typeof code === 'string' || typeof code === 'number') && { code }),
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * Runs the handling of one consumed message inside its own `process` span, a child of the context the
 * message carries — so batch consumption never breaks the chain: each message continues its own trace.
 * When spans are not recorded, in the context the message carries (a non-recording span would carry the
 * same trace on, for the price of its attributes, name and context objects per message).
 */
export async function withProcessSpan<T>(m: ConsumedMessage, fn: () => Promise<T>): Promise<T> {
  if (!spansRecorded()) return context.with(contextOf(m.headers), fn);
  const { span, active } = startProcessSpan(m);
  try {
    return await context.with(active, fn);
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** The synchronous form, for transforms that map a message to what it produces. */
export function withProcessSpanSync<T>(m: ConsumedMessage, fn: () => T): T {
  if (!spansRecorded()) return context.with(contextOf(m.headers), fn);
  const { span, active } = startProcessSpan(m);
  try {
    return context.with(active, fn);
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

const NOT_RECORDED = { end: () => undefined };

/** The `process` span of one message, a child of the context it carries, and the context to run in. */
function startProcessSpan(m: ConsumedMessage): { span: Span; active: Context } {
  const parent = contextOf(m.headers);
  const span = tracer().startSpan(
    `process ${m.topic}`,
    { kind: SpanKind.CONSUMER, attributes: processAttributes(m) },
    parent,
  );
  return { span, active: trace.setSpan(parent, span) };
}

/**
 * A `send` span per produced record, a child of the context its headers carry (set by whoever made
 * the record, inside its process span); the record then carries the send span's context. End the
 * returned spans when the broker acknowledged (or failed) the send. When spans are not recorded, a record
 * keeps the trace context it carries, and one without gets the active context's: what a non-recording
 * send span would have given it.
 */
export function startSendSpans(records: Array<{ topic: string; message: { headers?: IHeaders } }>): {
  end: (err?: unknown) => void;
} {
  if (!spansRecorded()) {
    for (const record of records) {
      const headers = (record.message.headers ??= {});
      if (!headers[HEADERS.traceparent]) propagation.inject(context.active(), headers);
    }
    return NOT_RECORDED;
  }
  const spans = records.map((record) => {
    const headers = (record.message.headers ??= {});
    const parent = headers[HEADERS.traceparent] ? contextOf(headers) : context.active();
    const span = tracer().startSpan(
      `send ${record.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
          'messaging.destination.name': record.topic,
        },
      },
      parent,
    );
    propagation.inject(trace.setSpan(parent, span), headers);
    return span;
  });
  return {
    end: (err?: unknown) => {
      for (const span of spans) {
        if (err) fail(span, err);
        span.end();
      }
    },
  };
}

/** What undici publishes on `undici:request:create` (the parts used here). */
interface UndiciRequestCreated {
  request: { addHeader?: (name: string, value: string) => unknown; headers?: unknown };
}

let propagating = false;

/**
 * Puts the active trace context (W3C headers) on each outgoing undici request, as undici's
 * instrumentation does with a non-recording span: a webhook POST carries the trace of the event it
 * delivers. For when spans are not recorded (startTelemetry installs the instrumentation otherwise).
 */
export function propagateToUndiciRequests(): void {
  if (propagating) return;
  propagating = true;
  diagnosticsChannel.subscribe('undici:request:create', (message) => {
    const { request } = message as UndiciRequestCreated;
    const added: Record<string, string> = {};
    propagation.inject(context.active(), added);
    for (const name in added) {
      if (typeof request.addHeader === 'function') request.addHeader(name, added[name]);
      else if (typeof request.headers === 'string') request.headers += `${name}: ${added[name]}\r\n`;
      else if (Array.isArray(request.headers)) request.headers.push(name, added[name]);
    }
  });
}
