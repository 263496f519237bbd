/**
 * `npm run test:chaos`: the full fault-injection run (defaults: 50,000 events to 100 endpoints,
 * PostgreSQL down 30 s). Prints progress, the report as JSON, and last the line
 * `lost=0 duplicates=N posts=N attempts=N`; exits 1 when an event was lost, the attempt log does not
 * hold one event per POST, or the config API answered anything but 503 without PostgreSQL.
 * CHAOS_EVENTS, CHAOS_ENDPOINTS, CHAOS_RATE, CHAOS_FAULT_GAP_MS, CHAOS_PG_DOWN_MS change the sizes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaosVerdict, runChaos } from '../support/chaos';
import { ROOT } from '../support/processes';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main() {
  const report = await runChaos({
    events: num('CHAOS_EVENTS', 50_000),
    endpoints: num('CHAOS_ENDPOINTS', 100),
    rateEps: process.env.CHAOS_RATE ? num('CHAOS_RATE', 0) : undefined,
    faultGapMs: num('CHAOS_FAULT_GAP_MS', 8000),
    postgresDownMs: num('CHAOS_PG_DOWN_MS', 30_000),
    secondUrlEvery: 5,
    settleTimeoutMs: 300_000,
    log: (line) => process.stderr.write(`[chaos] ${line}\n`),
  });
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'chaos.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  const problems = chaosVerdict(report);
  for (const problem of problems) process.stderr.write(`[chaos] FAIL: ${problem}\n`);
  process.stdout.write(
    `lost=${report.lost} duplicates=${report.duplicates} posts=${report.posts} attempts=${report.attempts}\n`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
