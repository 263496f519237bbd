/**
 * Replay speed of the failure-log rebuild: BENCH_ATTEMPTS (default 200,000) synthetic attempt records
 * (valid `hookpost.delivery-attempt.v2` written as the dispatcher writes them, `attemptMessage`: the job,
 * whose event data is the seed's permanent_fail event, on failures only; 85% failed, 5% each rejected,
 * dropped and delivered) on a fresh prefixed topic set, then the rebuild exactly as
 * `npm run failure-log:rebuild` runs it (its own process, `--max-semi-space-size=64`). Needs KAFKA_BROKERS and DATABASE_URL of a
 * running stack. Prints one JSON line last:
 *   {"bench":"replay","attempts":N,"replay_attempts_per_s":X,...}
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { Client } from 'pg';
import {
  attemptId,
  attemptMessage,
  deliveryId,
  jobJson,
  jobNeeded,
  TOPICS,
  type AttemptHead,
  type AttemptOutcome,
  type DeliveryJobHead,
} from '@hookpost/contracts';
import { ROOT } from '../test/support/processes';
import { seedEvent } from '../test/support/seeds';
import { TestSystem } from '../test/support/system';

const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 200_000);
const CONCURRENCY = process.env.REBUILD_CONCURRENCY ?? '4';
const CONSUMERS = process.env.REBUILD_CONSUMERS ?? '2';
const ACCOUNTS = 20;
const URLS = [
  'https://hooks.example.com/mailgun',
  'https://crm.example.net/webhooks/mail',
  'http://10.0.0.7/h',
];

function outcomeOf(i: number): AttemptOutcome {
  const r = i % 20;
  return r === 0 ? 'rejected' : r === 1 ? 'dropped' : r === 2 ? 'delivered' : 'failed';
}

/**
 * The i-th synthetic attempt and its job: events of 20 accounts' domains, 3 URLs, attempts 1-4. The
 * event data is given as its JSON, as the dispatcher has it (the bytes of the event record).
 */
function attemptOf(
  i: number,
  eventData: Record<string, unknown>,
  now: number,
): { attempt: AttemptHead; job: DeliveryJobHead; data: string } {
  const eventId = `bench-${Math.floor(i / 4)}`;
  const url = URLS[i % URLS.length];
  const delivery = deliveryId(eventId, url);
  const n = (i % 4) + 1;
  const outcome = outcomeOf(i);
  const account = `acct${String(i % ACCOUNTS).padStart(20, '0')}`;
  const domain = `mg${i % ACCOUNTS}.example.com`;
  const job: DeliveryJobHead = {
    delivery_id: delivery,
    event_id: eventId,
    webhook: 'permanent_fail' as const,
    domain,
    message_id: `${eventId}@mg.example.com`,
    url,
    level: 'domain' as const,
    attempt: n,
    trigger: n === 1 ? ('initial' as const) : ('retry' as const),
    created_at: now - 3_600_000,
    due_at: now - 3_600_000 + n * 600_000,
  };
  const data = JSON.stringify({ ...eventData, id: eventId, domain: { name: domain } });
  const attempt: AttemptHead = {
    attempt_id: attemptId(delivery, n),
    delivery_id: delivery,
    event_id: eventId,
    webhook: 'permanent_fail',
    domain,
    account_id: account,
    message_id: job.message_id,
    url,
    attempt: n,
    trigger: job.trigger,
    outcome,
    http_status:
      outcome === 'dropped' ? null : outcome === 'rejected' ? 406 : outcome === 'delivered' ? 200 : 503,
    error_class:
      outcome === 'dropped' ? 'schedule_exhausted' : outcome === 'delivered' ? null : 'http_status',
    reason:
      outcome === 'delivered'
        ? null
        : outcome === 'dropped'
          ? 'given up after 3 attempt(s); last: HTTP 503: Service Unavailable'
          : `HTTP ${outcome === 'rejected' ? 406 : 503}: <html><body>Service Unavailable</body></html>`,
    duration_ms: 12.345,
    attempted_at: now - 3_600_000 + i,
  };
  return { attempt, job, data };
}

function runRebuild(env: Record<string, string>): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=64').split(' ').filter(Boolean),
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
        join(ROOT, 'dist', 'apps', 'failure-log', 'src', 'rebuild', 'rebuild.js'),
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          KAFKA_BROKERS: env.KAFKA_BROKERS,
          DATABASE_URL: env.DATABASE_URL,
          KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX,
          LOG_LEVEL: 'warn',
          REBUILD_CONCURRENCY: CONCURRENCY,
          REBUILD_CONSUMERS: CONSUMERS,
          ...(process.env.REBUILD_DECODERS ? { REBUILD_DECODERS: process.env.REBUILD_DECODERS } : {}),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`rebuild exited ${code}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number>);
    });
  });
}

async function main() {
  const system = await TestSystem.start({ services: [], env: { TOPIC_PARTITIONS: '6', LOG_LEVEL: 'warn' } });
  const db = new Client({ connectionString: system.env.DATABASE_URL });
  try {
    await db.connect();
    for (let a = 0; a < ACCOUNTS; a++) {
      await db.query(`INSERT INTO accounts (id, name, signing_key) VALUES ($1, $2, 'k')`, [
        `acct${String(a).padStart(20, '0')}`,
        `bench ${a}`,
      ]);
    }

    const eventData = seedEvent('permanent_fail');
    const producer = system.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const topic = system.topic(TOPICS.deliveryAttempts);
    const now = Date.now();
    const producedAt = Date.now();
    let bytes = 0;
    const BATCH = 2000;
    for (let i = 0; i < ATTEMPTS; i += BATCH * 4) {
      const sends: Array<Promise<unknown>> = [];
      for (let j = i; j < Math.min(ATTEMPTS, i + BATCH * 4); j += BATCH) {
        const messages = [];
        for (let k = j; k < Math.min(ATTEMPTS, j + BATCH); k++) {
          const { attempt, job, data } = attemptOf(k, eventData, now);
          const message = attemptMessage(attempt, jobNeeded(attempt) ? jobJson(job, data) : null, {});
          bytes += Buffer.byteLength(message.value as Buffer | string);
          messages.push(message);
        }
        // Uncompressed, as fan-out and retry produce them (KAFKA_COMPRESSION's default there).
        sends.push(producer.send({ topic, messages }));
      }
      await Promise.all(sends);
    }
    await producer.disconnect();
    const produceS = (Date.now() - producedAt) / 1000;
    process.stderr.write(
      `produced ${ATTEMPTS} attempts (${Math.round(bytes / ATTEMPTS)} bytes each) in ${produceS.toFixed(1)} s\n`,
    );

    const result = await runRebuild(system.env);
    const tableMb =
      Number((await db.query(`SELECT pg_total_relation_size('webhook_failures') AS b`)).rows[0].b) /
      1024 /
      1024;
    await db.end();
    process.stdout.write(
      `${JSON.stringify({
        bench: 'replay',
        attempts: result.attempts,
        rows: result.rows,
        seconds: result.seconds,
        replay_attempts_per_s: result.attempts_per_s,
        replay_s: result.replay_s,
        index_s: result.index_s,
        locked_ms: result.locked_ms,
        record_bytes: Math.round(bytes / ATTEMPTS),
        table_mb: Math.round(tableMb),
        concurrency: Number(CONCURRENCY),
        consumers: Number(CONSUMERS),
      })}\n`,
    );
  } finally {
    await db.end().catch(() => undefined);
    await system.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`replay bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
