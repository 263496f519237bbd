import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Secrets never reach a log line: anything under these keys is censored, and every
 * error is written by `serializeError`, which keeps what says what went wrong and drops what it was
 * doing it to.
 */
const REDACT_PATHS = [
  'signing_key',
  '*.signing_key',
  'api_key',
  '*.api_key',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'token',
  '*.token',
];

/**
 * The fields of an error a log line or a span keeps: what failed and where (message, code, stack, the
 * socket or the constraint), never the data it carried. TypeORM's QueryFailedError holds the statement
 * and its parameters (signing keys, whole batches of attempts with their events' recipients) and the
 * driver's error; PostgreSQL's `detail` and `where` quote rows and values.
 */
const KEPT_FIELDS = [
  'code',
  'errno',
  'syscall',
  'address',
  'port',
  'severity',
  'routine',
  'schema',
  'table',
  'column',
  'constraint',
  'retriable',
  'retryCount',
  'status',
] as const;
/** Errors an error wraps (kept, serialized the same way, a few levels deep). */
const NESTED_FIELDS = ['cause', 'originalError'] as const;
const MAX_DEPTH = 3;
const MAX_NESTED_ERRORS = 5;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  [field: string]: unknown;
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * An error as a log line or a span records it: its type, message, stack and KEPT_FIELDS (primitives
 * only), and the errors it wraps alike; nothing else (no `query`, `parameters`, `driverError`, `detail`,
 * `where`, ...). Anything that is not an error is written as its string.
 */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (typeof err !== 'object' || err === null) return { type: typeof err, message: String(err) };
  const e = err as Record<string, unknown> & { name?: unknown; message?: unknown; stack?: unknown };
  const out: SerializedError = {
    // `type`: of an error serialized already (so serializing twice changes nothing).
    type:
      typeof e.name === 'string'
        ? e.name
        : typeof e.type === 'string'
          ? e.type
          : (err.constructor?.name ?? 'Error'),
    message: typeof e.message === 'string' ? e.message : String(e.message ?? ''),
  };
  if (typeof e.stack === 'string') out.stack = e.stack;
  for (const field of KEPT_FIELDS) {
    if (isPrimitive(e[field])) out[field] = e[field];
  }
  if (depth < MAX_DEPTH) {
    for (const field of NESTED_FIELDS) {
      if (e[field] !== undefined && e[field] !== null) out[field] = serializeError(e[field], depth + 1);
    }
    if (Array.isArray(e.errors)) {
      out.errors = e.errors.slice(0, MAX_NESTED_ERRORS).map((inner) => serializeError(inner, depth + 1));
    }
  }
  return out;
}

/** A log line's fields with every error among them (at the top level, or one level down) serialized. */
export function withSerializedErrors(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const key in fields) {
    const value = fields[key];
    let replaced: unknown = value;
    if (value instanceof Error) replaced = serializeError(value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const inner = value as Record<string, unknown>;
      for (const k in inner) {
        if (inner[k] instanceof Error) {
          replaced = { ...inner };
          for (const j in inner) {
            if (inner[j] instanceof Error)
              (replaced as Record<string, unknown>)[j] = serializeError(inner[j]);
          }
          break;
        }
      }
    }
    if (replaced !== value) {
      out ??= { ...fields };
      out[key] = replaced;
    }
  }
  return out ?? fields;
}

/** A service's logger; its lines go to stdout (or `destination`, for tests). */
export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name: `hookpost-${service}`,
    level,
    base: { service: `hookpost-${service}` },
    redact: { paths: REDACT_PATHS, censor: '[secret]' },
    // `err` and `error` by name; an error under any other key (or one level down) by the formatter.
    serializers: { err: serializeError, error: serializeError },
    formatters: { log: withSerializedErrors },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Routes Nest's own log calls into pino (an error given as the message is serialized, never whole). */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, text(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    if (message instanceof Error) this.logger.error({ context, err: message }, message.message);
    else this.logger.error({ context, trace }, text(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, text(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, text(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, text(message));
  }
}

/** A Nest log message as text: an error by its message alone. */
function text(message: unknown): string {
  return message instanceof Error ? message.message : String(message);
}
