#!/usr/bin/env node
// npm run bench: builds, starts the local stack (unless KAFKA_BROKERS / DATABASE_URL are set), runs the
// benchmarks in bench/ against it (the pipeline, then the failure-log replay) and prints their figures;
// the last line is one JSON object with all of them. Details go to bench/results/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, ensureRuntime, log, ROOT } from './lib.mjs';

await ensureRuntime();
build();
const { stackUp, stackDown } = await import('./stack.mjs');
const stack = await stackUp();
const env = { ...process.env, KAFKA_BROKERS: stack.KAFKA_BROKERS, DATABASE_URL: stack.DATABASE_URL };

/** Runs one compiled bench; returns its last JSON line (its output is shown as it runs). */
function bench(name, file, nodeArgs = []) {
  log(`bench: ${name}`);
  const result = spawnSync(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'bench', file)], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout);
  if (result.status !== 0) throw new Error(`${name} bench failed (exit ${result.status})`);
  const last = result.stdout.trim().split('\n').pop();
  return JSON.parse(last);
}

/** The goals of the benchmark issue: higher is better for rates, lower for latencies and memory. */
const GOALS = [
  ['deliveries_per_s', 5000, 'min'],
  ['p99_ms_at_1000_eps', 100, 'max'],
  ['hang_isolation_ratio', 1.2, 'max'],
  ['retry_late_p99_ms', 1000, 'max'],
  ['replay_attempts_per_s', 50000, 'min'],
  ['max_rss_mb', 256, 'max'],
  ['machine_cpu_us_per_delivery', 400, 'max'],
  ['services_cpu_us_per_delivery', 200, 'max'],
];

/** An SVG bar chart: each figure as a share of its goal (the goal line at 100%; green when met). */
function chart(summary) {
  const width = 720;
  const row = 44;
  const left = 200;
  const scale = (width - left - 140) / 2; // 200% of the goal fills the bar area
  const bars = GOALS.map(([name, goal, kind], i) => {
    const value = summary[name] ?? 0;
    const share = kind === 'min' ? value / goal : goal / value; // >= 1 means the goal is met
    const met = share >= 1;
    const w = Math.max(2, Math.min(2, share) * scale);
    const y = 30 + i * row;
    return [
      `<text x="${left - 10}" y="${y + 18}" text-anchor="end">${name}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="20" fill="${met ? '#2e7d32' : '#c62828'}"/>`,
      `<text x="${left + w + 6}" y="${y + 18}">${value} (goal ${kind === 'min' ? '>=' : '<='} ${goal})</text>`,
    ].join('');
  });
  const goalX = left + scale;
  const height = 40 + GOALS.length * row;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<text x="10" y="16" font-weight="bold">npm run bench: each figure against its goal (bar to the line = goal met)</text>
<line x1="${goalX}" y1="26" x2="${goalX}" y2="${height - 6}" stroke="#555" stroke-dasharray="4 3"/>
${bars.join('\n')}
</svg>
`;
}

let status; // set where the try block completes; an exception leaves through finally
try {
  const pipeline = bench('pipeline', 'pipeline.bench.js');
  const replay = bench('replay', 'replay.bench.js', ['--max-semi-space-size=64']);
  const summary = {
    deliveries_per_s: pipeline.deliveries_per_s,
    deliveries_per_s_1_endpoint: pipeline.deliveries_per_s_1_endpoint,
    p50_ms_at_1000_eps: pipeline.p50_ms_at_1000_eps,
    p99_ms_at_1000_eps: pipeline.p99_ms_at_1000_eps,
    hang_isolation_ratio: pipeline.hang_isolation_ratio,
    retry_late_p99_ms: pipeline.retry_late_p99_ms,
    replay_attempts_per_s: replay.replay_attempts_per_s,
    max_rss_mb: pipeline.max_rss_mb,
    // The whole machine's busy CPU per delivery over the 100-endpoint phase (broker, database and bench
    // included), and the services' own (cpu_us_per_delivery.total, with each service's share beside it).
    machine_cpu_us_per_delivery: pipeline.machine_cpu_us_per_delivery?.busy ?? null,
    machine_steal_us_per_delivery: pipeline.machine_cpu_us_per_delivery?.steal ?? null,
    // Where the machine's went: services, broker, database, the bench itself (producer, 100 endpoints), rest.
    machine_cpu_us_by_process: pipeline.machine_cpu_us_by_process ?? null,
    services_cpu_us_per_delivery: pipeline.cpu_us_per_delivery.total,
    cpu_us_per_delivery: pipeline.cpu_us_per_delivery,
    rss_mb: pipeline.rss_mb,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'summary.json'),
    `${JSON.stringify({ summary, pipeline, replay }, null, 2)}\n`,
  );
  writeFileSync(join(ROOT, 'bench', 'results', 'summary.svg'), chart(summary));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  status = 0;
} finally {
  if (stack.started.kafka || stack.started.postgres) await stackDown();
}
process.exit(status);
