#!/usr/bin/env node
// npm run bench: builds, starts the local stack (unless KAFKA_BROKERS / DATABASE_URL are set), runs the
// benchmarks in bench/ against it and prints their figures; the last line is one JSON object.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build, ensureDependencies, log, ROOT } from './lib.mjs';

ensureDependencies();
build();
const { stackUp, stackDown } = await import('./stack.mjs');
const stack = await stackUp();
let status = 1;
try {
  log('bench: pipeline');
  const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'pipeline.bench.js')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, KAFKA_BROKERS: stack.KAFKA_BROKERS, DATABASE_URL: stack.DATABASE_URL },
  });
  status = result.status ?? 1;
} finally {
  if (stack.started.kafka || stack.started.postgres) await stackDown();
}
process.exit(status);
