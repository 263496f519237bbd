#!/usr/bin/env node
// npm run bench: builds, starts the local stack (unless KAFKA_BROKERS / DATABASE_URL are set), runs the
// benchmarks in bench/ against it (the pipeline, then the failure-log replay) and prints their figures;
// the last line is one JSON object with all of them. Details go to bench/results/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, ensureDependencies, log, ROOT } from './lib.mjs';

ensureDependencies();
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

let status = 1;
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
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'summary.json'),
    `${JSON.stringify({ summary, pipeline, replay }, null, 2)}\n`,
  );
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  status = 0;
} finally {
  if (stack.started.kafka || stack.started.postgres) await stackDown();
}
process.exit(status);
