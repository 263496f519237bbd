import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE, parseCidrList, parseRetrySchedule, type RetryStep } from '@hookpost/domain';

/** Thrown when the environment does not validate; the message names every bad variable. */
export class EnvError extends Error {}

export const bool = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const port = (defaultValue: number) => z.coerce.number().int().min(1).max(65535).default(defaultValue);

/** A port that may be left unset (or empty): undefined then. */
export const optionalPort = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : v),
  z.coerce.number().int().min(1).max(65535).optional(),
);

export const brokers = z
  .string({ message: 'is required (comma-separated host:port list)' })
  .transform((v) => v.split(',').map((b) => b.trim()))
  .refine((list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d{1,5}$/.test(b)), {
    message: 'must be a comma-separated list of host:port',
  });

/** SASL mechanisms kafkajs speaks without extra packages. */
export const KAFKA_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/**
 * How to reach the brokers: TLS (Node's CA store; NODE_EXTRA_CA_CERTS adds a private CA) and SASL. A
 * mechanism needs a username and a password (parseEnv checks the combination).
 */
export const kafkaSecurityEnvShape = {
  KAFKA_SSL: bool(false),
  KAFKA_SASL_MECHANISM: z
    .enum(KAFKA_SASL_MECHANISMS, { message: `must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
};

/**
 * KAFKA_COMPRESSION, the codec of the batches a service produces, with its default. LZ4 where the records
 * are webhook events (ingest, redaction): their JSON shrinks about threefold and the bytes are most of what
 * a forwarding stage costs (pipeline bench: ingest 63 -> 46 us and redaction 70 -> 40 us of CPU per
 * delivery). None where they are attempt events and jobs (fan-out, retry, config): a delivered attempt is a
 * few hundred bytes, and the failure log's rebuild read LZ4 batches 30-45% slower than plain ones.
 */
export function kafkaCompression(defaultCodec: (typeof KAFKA_CODECS)[number]) {
  return z.enum(KAFKA_CODECS).default(defaultCodec);
}

/** Variables every service reads. */
export const commonEnvShape = {
  KAFKA_BROKERS: brokers,
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'may only hold letters, digits, ".", "_" and "-"')
    .default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTP_HOST: z.string().default('0.0.0.0'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(15000),
  /** How soon a dead consumer's partitions move to a live one (the broker allows 6 s to 30 min). */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(1_800_000).default(10000),
  /** See kafkaCompression: LZ4 for the services that write webhook events (ingest, redaction). */
  KAFKA_COMPRESSION: kafkaCompression('lz4'),
  ...kafkaSecurityEnvShape,
};

/** SASL settings make sense only together: a mechanism with its username and password. */
function checkKafkaSasl(data: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = data;
  if (mechanism) {
    for (const [name, value] of [
      ['KAFKA_SASL_USERNAME', username],
      ['KAFKA_SASL_PASSWORD', password],
    ] as const) {
      if (!value)
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is required when KAFKA_SASL_MECHANISM is set',
        });
    }
  } else if (username || password) {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_SASL_MECHANISM'],
      message: 'is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
    });
  }
}

/** Validates `source` against `shape` into one typed object, or throws EnvError naming the variables. */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const schema =
    'KAFKA_SASL_MECHANISM' in shape ? z.object(shape).superRefine(checkKafkaSasl) : z.object(shape);
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const message =
      issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue.message;
    return `  ${name}: ${message}`;
  });
  throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
}

/**
 * parseEnv for a process entry point, then the rules across variables the shape cannot say (`problems`:
 * each `VARIABLE: what is wrong`): on error prints the message and exits with code 78 (EX_CONFIG).
 */
export function loadEnvOrExit<S extends z.ZodRawShape>(
  service: string,
  shape: S,
  problems: (env: z.infer<z.ZodObject<S>>) => string[] = () => [],
): z.infer<z.ZodObject<S>> {
  try {
    const env = parseEnv(shape);
    const found = problems(env);
    if (found.length > 0)
      throw new EnvError(`Invalid environment:\n${found.map((p) => `  ${p}`).join('\n')}`);
    return env;
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`hookpost-${service}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

/** RETRY_SCHEDULE: `10m,10m,15m,30m,1h,2h,4h` (the seed's) by default. */
export const retrySchedule = z
  .string()
  .default(DEFAULT_RETRY_SCHEDULE)
  .transform((v, ctx): RetryStep[] => {
    try {
      return parseRetrySchedule(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

export const postgresUrl = z
  .string({ message: 'is required (postgres://user:password@host:port/db)' })
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');

/** A comma-separated list of CIDR ranges (or addresses) that outgoing webhooks may reach even if private. */
export const cidrList = z
  .string()
  .default('')
  .superRefine((v, ctx) => {
    try {
      parseCidrList(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

/** Outgoing webhooks (fan-out's dispatch, the config API's test sends): deadline and destination policy. */
export const outboundEnvShape = {
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  DESTINATION_ALLOW_PRIVATE: bool(false),
  DESTINATION_ALLOWLIST: cidrList,
};
