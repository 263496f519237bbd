/**
 * Fault injection against the whole system: mail events produced at a steady rate to N endpoints while
 * every service is killed (-9) in turn and started again, the Kafka broker is restarted and PostgreSQL
 * is stopped for a while. Then: was every (event, URL) received, how many POSTs came twice, does the
 * attempt log hold one event per POST (per (event, URL) pair; a POST cut off by a kill counts through its
 * `interrupted` event), and did the config API answer 503 (never 500) without
 * PostgreSQL and recover on its own.
 *
 * It runs on its own broker and database server (`node scripts/stack.mjs ... --instance chaos`), which it
 * is free to stop, beside the stack the other tests share.
 */
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Producer } from 'kafkajs';
import { TOPICS } from '@hookpost/contracts';
import { stackInstance, waitFor } from './processes';
import { seedEvent } from './seeds';
import { endpointUrl, startEndpoints, stopEndpoints } from './servers';
import { SERVICE_NAMES, TestSystem, type ServiceName } from './system';

export interface ChaosOptions {
  events: number;
  endpoints: number;
  /**
   * Events produced per second; by default spread so that producing lasts as long as the faults do
   * (a gap after each service's kill and two more, the PostgreSQL outage and ~10 s of broker restart):
   * every fault hits a system at work.
   */
  rateEps?: number;
  /** Pause between two faults. */
  faultGapMs: number;
  /** How long PostgreSQL stays down. */
  postgresDownMs: number;
  /** Every k-th domain has a second URL (so one event fans out to two). */
  secondUrlEvery: number;
  /** How long to wait, after the last event was produced, for every (event, URL) to arrive. */
  settleTimeoutMs: number;
  log: (line: string) => void;
}

export interface ChaosReport {
  events: number;
  endpoints: number;
  expected: number;
  lost: number;
  duplicates: number;
  posts: number;
  attempts: number;
  /** Attempt events whose attempt_id occurs more than once (a POST made again after a crash). */
  attempt_ids_repeated: number;
  /** Attempt events of POSTs cut off by a kill (recorded from fan-out's journal when it started again). */
  interrupted: number;
  /** (event, URL) pairs whose attempt events are not as many as the POSTs they received. */
  pairs_attempts_not_posts: number;
  /** `dropped` records (a give-up, not a POST): none expected, every endpoint answers 200. */
  dropped: number;
  /** A few of those pairs: when their POSTs arrived and which attempt events they have. */
  mismatch_samples: Array<{ pair: string; posts_at: number[]; attempts: AttemptSeen[] }>;
  unexpected: number;
  restarts: Record<string, number>;
  exit_codes: Record<string, Array<number | null>>;
  api_during_postgres_outage: Record<string, number>;
  api_recovered_after_ms: number | null;
  producer_retries: number;
  faults: Array<{ at_s: number; fault: string }>;
  elapsed_s: number;
}

const chaosStack = (command: string) => stackInstance('chaos', command);

/** N endpoints (each its own server and origin) that count every POST per (event, endpoint). */
class CountingEndpoints {
  private servers: Server[] = [];
  /** `${eventId} ${endpoint}` -> POSTs received. */
  readonly received = new Map<string, number>();
  /** `${eventId} ${endpoint}` -> when each POST arrived (ms). */
  readonly arrivals = new Map<string, number[]>();
  posts = 0;

  async start(count: number): Promise<this> {
    this.servers = await startEndpoints(count, (i, _req, body, res) => {
      this.posts++;
      const id = (JSON.parse(body.toString('utf8')) as { 'event-data': { id: string } })['event-data'].id;
      const key = `${id} ${i}`;
      this.received.set(key, (this.received.get(key) ?? 0) + 1);
      this.arrivals.set(key, [...(this.arrivals.get(key) ?? []), Date.now()]);
      res.writeHead(200).end('ok');
    });
    return this;
  }

  url(i: number): string {
    return endpointUrl(this.servers[i]);
  }

  stop(): Promise<void> {
    return stopEndpoints(this.servers);
  }
}

/**
 * Starts a service again whenever it exits, a second later (what Kubernetes does with a crashed pod),
 * until stopped. Counts restarts and keeps the exit codes.
 */
class Supervisor {
  readonly restarts: Record<string, number> = {};
  readonly exitCodes: Record<string, Array<number | null>> = {};
  private stopped = false;

  constructor(
    private readonly system: TestSystem,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    for (const name of SERVICE_NAMES) void this.watch(name);
  }

  private async watch(name: ServiceName): Promise<void> {
    for (;;) {
      const code = await this.system.service(name).exited();
      if (this.stopped) return;
      (this.exitCodes[name] ??= []).push(code);
      this.restarts[name] = (this.restarts[name] ?? 0) + 1;
      const why = code === null ? '' : `\n${this.system.service(name).output.join('').slice(-1500)}`;
      this.log(`${name} exited (${code ?? 'killed'}); starting it again${why}`);
      await sleep(1000);
      if (this.stopped) return;
      const service = await this.system.startService(name);
      service.waitReady(120_000).then(
        () => this.log(`${name} ready again`),
        (err: Error) => this.log(`${name} not ready: ${err.message.slice(0, 300)}`),
      );
    }
  }

  /** Stops supervising (the services stay up: TestSystem.stop stops them). */
  stop(): void {
    this.stopped = true;
  }
}

/** The mail server's side: produces every event until the broker acknowledged it, whatever happens. */
class MailServer {
  retries = 0;
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  async send(messages: Array<{ key: string; value: string }>): Promise<void> {
    for (;;) {
      try {
        await this.producer.send({ topic: this.topic, messages });
        return;
      } catch {
        this.retries++;
        await sleep(500);
      }
    }
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const { log } = opts;
  const started = Date.now();
  const at = () => Math.round((Date.now() - started) / 100) / 10;
  const stackOut = await chaosStack('up');
  const stack = Object.fromEntries(
    stackOut
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  ) as { KAFKA_BROKERS: string; DATABASE_URL: string };
  log(`stack up: ${stack.KAFKA_BROKERS} ${stack.DATABASE_URL.replace(/:[^:@/]+@/, ':***@')}`);

  const endpoints = await new CountingEndpoints().start(opts.endpoints);
  const system = await TestSystem.start({
    stack,
    env: {
      TOPIC_PARTITIONS: '6',
      LOG_LEVEL: 'warn',
      DELIVERY_TIMEOUT_MS: '10000',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    },
  });
  const supervisor = new Supervisor(system, (line) => log(`[${at()}s] ${line}`));
  let producer: Producer | null = null;
  try {
    // Configuration: domain i -> endpoint i; every k-th domain also -> the endpoint half way round.
    const account = await system.admin('/internal/v1/accounts', { name: 'chaos' });
    const auth = `Basic ${Buffer.from(`api:${account.api_key}`).toString('base64')}`;
    const domainOf = (i: number) => `chaos-${i}.example.com`;
    const targets: number[][] = [];
    for (let i = 0; i < opts.endpoints; i++) {
      targets[i] = [i];
      if (opts.endpoints > 1 && i % opts.secondUrlEvery === 0) {
        targets[i].push((i + Math.floor(opts.endpoints / 2)) % opts.endpoints);
      }
      await system.addDomain(account, domainOf(i), [['delivered', targets[i].map((t) => endpoints.url(t))]]);
    }
    await system.configPropagated(60_000);
    supervisor.start();

    producer = system.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    await producer.connect();
    const mail = new MailServer(producer, system.topic(TOPICS.mailEvents));
    const template = seedEvent('delivered');
    const expected: string[] = [];

    const produceAll = async () => {
      const tick = 50;
      const faultsMs = opts.faultGapMs * (SERVICE_NAMES.length + 2) + opts.postgresDownMs + 10_000;
      const rate = opts.rateEps ?? Math.max(1, Math.round((opts.events * 1000) / faultsMs));
      const perTick = Math.max(1, Math.round((rate * tick) / 1000));
      log(`[${at()}s] producing ${opts.events} events at ${rate}/s`);
      const begin = Date.now();
      for (let sent = 0; sent < opts.events;) {
        const wait = begin + (sent / perTick) * tick - Date.now();
        if (wait > 0) await sleep(wait);
        const batch: Array<{ key: string; value: string }> = [];
        for (let k = 0; k < perTick && sent < opts.events; k++, sent++) {
          const id = `chaos-${sent}`;
          const domain = sent % opts.endpoints;
          for (const t of targets[domain]) expected.push(`${id} ${t}`);
          batch.push({
            key: id,
            value: JSON.stringify({ ...template, id, domain: { name: domainOf(domain) } }),
          });
        }
        await mail.send(batch);
      }
      log(`[${at()}s] all ${opts.events} events produced (${mail.retries} produce retries)`);
    };

    const faults: ChaosReport['faults'] = [];
    const fault = (what: string) => {
      faults.push({ at_s: at(), fault: what });
      log(`[${at()}s] fault: ${what}`);
    };
    const api = { statuses: {} as Record<string, number>, recoveredAfterMs: null as number | null };
    const probe = async () => {
      const res = await fetch(`${system.api}/v3/domains/${domainOf(0)}/webhooks`, {
        headers: { authorization: auth },
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      return res.status;
    };

    const injectFaults = async () => {
      await sleep(opts.faultGapMs);
      for (const name of SERVICE_NAMES) {
        fault(`kill -9 ${name}`);
        await system.service(name).kill();
        await sleep(opts.faultGapMs);
      }
      fault('Kafka broker restart');
      await chaosStack('kafka-down');
      await chaosStack('kafka-up');
      log(`[${at()}s] Kafka broker back`);
      await sleep(opts.faultGapMs);

      fault(`PostgreSQL stopped for ${opts.postgresDownMs / 1000} s`);
      await chaosStack('postgres-down');
      const downUntil = Date.now() + opts.postgresDownMs;
      while (Date.now() < downUntil) {
        const status = await probe().catch((err: Error) => `error: ${err.message}`);
        api.statuses[status] = (api.statuses[status] ?? 0) + 1;
        await sleep(250);
      }
      await chaosStack('postgres-up');
      const back = Date.now();
      log(`[${at()}s] PostgreSQL back`);
      await waitFor(async () => (await probe().catch(() => 0)) === 200, 60_000, 'the config API to recover');
      api.recoveredAfterMs = Date.now() - back;
      log(`[${at()}s] config API answers 200 again (${api.recoveredAfterMs} ms after PostgreSQL)`);
    };

    await Promise.all([produceAll(), injectFaults()]);

    const missing = () => expected.filter((key) => !endpoints.received.has(key));
    await waitFor(
      () => missing().length === 0,
      opts.settleTimeoutMs,
      'every (event, URL) to be received',
      500,
    ).catch((err: Error) => log(`${err.message}: ${missing().length} missing`));

    // Attempt events trail their POST by a produce round-trip: wait until the log stops growing.
    const indexOfUrl = new Map(targets.flat().map((t) => [endpoints.url(t), t]));
    const attempts = await readAttempts(
      system,
      endpoints.posts,
      (a) => `${a.event_id} ${indexOfUrl.get(a.url) ?? a.url}`,
    );
    supervisor.stop();
    const received = [...endpoints.received];
    const mismatched = [...new Set([...attempts.perPair.keys(), ...endpoints.received.keys()])].filter(
      (key) => (attempts.perPair.get(key)?.length ?? 0) !== (endpoints.received.get(key) ?? 0),
    );
    const expectedSet = new Set(expected);
    const report: ChaosReport = {
      events: opts.events,
      endpoints: opts.endpoints,
      expected: expected.length,
      lost: missing().length,
      duplicates: received.reduce((sum, [, n]) => sum + n - 1, 0),
      posts: endpoints.posts,
      attempts: attempts.total,
      attempt_ids_repeated: attempts.repeated,
      interrupted: attempts.interrupted,
      pairs_attempts_not_posts: mismatched.length,
      mismatch_samples: mismatched.slice(0, 5).map((pair) => ({
        pair,
        posts_at: endpoints.arrivals.get(pair) ?? [],
        attempts: attempts.perPair.get(pair) ?? [],
      })),
      dropped: attempts.dropped,
      unexpected: received.filter(([key]) => !expectedSet.has(key)).length,
      restarts: supervisor.restarts,
      exit_codes: supervisor.exitCodes,
      api_during_postgres_outage: api.statuses,
      api_recovered_after_ms: api.recoveredAfterMs,
      producer_retries: mail.retries,
      faults,
      elapsed_s: at(),
    };
    return report;
  } finally {
    supervisor.stop();
    await producer?.disconnect().catch(() => undefined);
    await system.stop().catch((err: Error) => log(`stopping the system: ${err.message}`));
    await endpoints.stop();
    await chaosStack('down').catch((err: Error) => log(err.message));
  }
}

interface AttemptTally {
  /** Attempt events of POSTs (every outcome but `dropped`, which records a give-up). */
  total: number;
  repeated: number;
  interrupted: number;
  dropped: number;
  /** pair key -> attempt events of POSTs. */
  perPair: Map<string, AttemptSeen[]>;
}

type AttemptSeen = { id: string; error_class: string | null; at: number; partition: number; offset: string };

type AttemptFields = {
  attempted_at: number;
  attempt_id: string;
  event_id: string;
  url: string;
  outcome: string;
  error_class: string | null;
};

/** Every record of the attempt log, read until no more arrive for 3 s (at least `atLeast` POSTs' worth). */
async function readAttempts(
  system: TestSystem,
  atLeast: number,
  pairOf: (attempt: AttemptFields) => string,
): Promise<AttemptTally> {
  const ids = new Map<string, number>();
  const tally: AttemptTally = { total: 0, repeated: 0, interrupted: 0, dropped: 0, perPair: new Map() };
  let last = Date.now();
  const consumer = system.kafka.consumer({ groupId: `chaos-attempts-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [system.topic(TOPICS.deliveryAttempts)], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      if (!message.value) return;
      const attempt = JSON.parse(message.value.toString('utf8')) as AttemptFields;
      last = Date.now();
      if (attempt.outcome === 'dropped') {
        tally.dropped++;
        return;
      }
      ids.set(attempt.attempt_id, (ids.get(attempt.attempt_id) ?? 0) + 1);
      const pair = pairOf(attempt);
      const seen = tally.perPair.get(pair) ?? [];
      seen.push({
        id: attempt.attempt_id,
        error_class: attempt.error_class,
        at: attempt.attempted_at,
        partition,
        offset: message.offset,
      });
      tally.perPair.set(pair, seen);
      if (attempt.error_class === 'interrupted') tally.interrupted++;
      tally.total++;
    },
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (tally.total < atLeast || Date.now() - last < 3000)) await sleep(200);
  await consumer.disconnect();
  tally.repeated = [...ids.values()].filter((n) => n > 1).length;
  return tally;
}

/** What must hold after a chaos run; each problem as a sentence (none: it passed). */
export function chaosVerdict(report: ChaosReport): string[] {
  const problems: string[] = [];
  if (report.lost > 0) problems.push(`${report.lost} (event, URL) pairs were never received`);
  if (report.unexpected > 0)
    problems.push(`${report.unexpected} POSTs went to a URL not configured for them`);
  if (report.attempts !== report.posts) {
    problems.push(`the attempt log holds ${report.attempts} events for ${report.posts} POSTs`);
  }
  if (report.pairs_attempts_not_posts > 0) {
    problems.push(
      `${report.pairs_attempts_not_posts} (event, URL) pairs have not one attempt event per POST`,
    );
  }
  if (report.dropped > 0)
    problems.push(`${report.dropped} deliveries were given up (every endpoint answers 200)`);
  const statuses = Object.keys(report.api_during_postgres_outage);
  if (statuses.length === 0) problems.push('the config API was not probed while PostgreSQL was down');
  const other = statuses.filter((s) => s !== '503');
  if (other.length > 0) {
    problems.push(`without PostgreSQL the config API answered ${other.join(', ')} (503 expected)`);
  }
  if (report.api_recovered_after_ms === null) problems.push('the config API did not recover');
  return problems;
}
