import { z } from 'zod';
import { parseDnsServers } from '@hookpost/outbound';
import { commonEnvShape, kafkaCompression, outboundEnvShape, port } from '@hookpost/runtime';

export const fanOutEnvShape = {
  ...commonEnvShape,
  /** Attempt events and jobs go uncompressed (see kafkaCompression). */
  KAFKA_COMPRESSION: kafkaCompression('none'),
  ...outboundEnvShape,
  HTTP_PORT: port(8083),
  /** Deliveries being made (or about to be) at once; those waiting for their URL's or account's slot aside. */
  DISPATCH_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100000).default(1000),
  /** Deliveries at once per endpoint URL. */
  DISPATCH_MAX_PER_ENDPOINT: z.coerce.number().int().min(1).max(1000).default(32),
  /** Deliveries at once per account (across its URLs); at most DISPATCH_MAX_IN_FLIGHT; default a quarter of it. */
  DISPATCH_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).max(100000).optional(),
  /**
   * Jobs held waiting for their URL's or account's slot; at this bound the dispatcher stops fetching.
   * Default twice DISPATCH_MAX_IN_FLIGHT (see waitingLimit).
   */
  DISPATCH_MAX_WAITING: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** How long an attempt event's produce is retried before fan-out stops (exit 70). */
  DISPATCH_RECORD_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** Name servers for webhook hosts (`ip[:port]`, comma-separated); empty: the system's. */
  DNS_SERVERS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      try {
        parseDnsServers(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** Time budget of one DNS lookup of a webhook host. */
  DNS_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3000),
  /** The dispatch journal's directory; empty: `<tmp>/hookpost-journal/<topic prefix or default>`. */
  DISPATCH_JOURNAL_DIR: z.string().default(''),
};

export type FanOutEnv = z.infer<z.ZodObject<typeof fanOutEnvShape>>;

/** DISPATCH_MAX_PER_ACCOUNT as set, or a quarter of DISPATCH_MAX_IN_FLIGHT (at least 1). */
export function perAccountLimit(env: FanOutEnv): number {
  return env.DISPATCH_MAX_PER_ACCOUNT ?? Math.max(1, Math.floor(env.DISPATCH_MAX_IN_FLIGHT / 4));
}

/**
 * DISPATCH_MAX_WAITING as set, or twice DISPATCH_MAX_IN_FLIGHT. Waiting jobs are what isolation needs to
 * fetch past a saturated URL or account: twice the window lets the jobs behind a backlog that filled it
 * through; more is held in memory and collected by the GC while it waits. With one account saturating
 * its cap, 20,000 (the former default) cost fan-out ~150 us CPU per delivery and ~150-200 MB RSS
 * (pipeline bench); the bound only pauses fetching, nothing is lost.
 */
export function waitingLimit(env: FanOutEnv): number {
  return env.DISPATCH_MAX_WAITING ?? Math.min(1_000_000, 2 * env.DISPATCH_MAX_IN_FLIGHT);
}

/** Checks between variables, in the shape of parseEnv's messages (`NAME: problem`); empty when fine. */
export function fanOutEnvProblems(env: FanOutEnv): string[] {
  const problems: string[] = [];
  if (perAccountLimit(env) > env.DISPATCH_MAX_IN_FLIGHT) {
    problems.push(
      `DISPATCH_MAX_PER_ACCOUNT: ${perAccountLimit(env)} is above DISPATCH_MAX_IN_FLIGHT (${env.DISPATCH_MAX_IN_FLIGHT}), so it would not stop one account from taking every slot`,
    );
  }
  return problems;
}
