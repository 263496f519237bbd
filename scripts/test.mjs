#!/usr/bin/env node
// npm test: from nothing to a full run. Installs what is missing, builds, lints, starts the local
// Kafka + PostgreSQL (unless KAFKA_BROKERS / DATABASE_URL point at existing ones), runs unit and
// end-to-end tests with node's test runner, and stops what it started.
//   --unit   unit tests only (no stack)      --e2e   end-to-end tests only      --no-lint
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bin, build, ensureDependencies, log, ROOT, run } from './lib.mjs';

const args = new Set(process.argv.slice(2));
const unit = !args.has('--e2e');
const e2e = !args.has('--unit');

function findTests(dir, suffix) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path, suffix));
    else if (path.endsWith(suffix)) out.push(relative(ROOT, path));
  }
  return out.sort();
}

ensureDependencies();
build();
if (!args.has('--no-lint')) {
  log('lint (eslint + prettier)');
  run(bin('eslint'), ['.', '--max-warnings=0']);
  run(bin('prettier'), ['--check', '--log-level=warn', '.']);
}

const files = [];
if (unit)
  files.push(
    ...findTests(join(ROOT, 'dist', 'apps'), '.spec.js'),
    ...findTests(join(ROOT, 'dist', 'libs'), '.spec.js'),
  );
if (e2e) files.push(...findTests(join(ROOT, 'dist', 'test'), '.e2e-spec.js'));

let stack = null;
let started = { kafka: false, postgres: false };
const env = { ...process.env };
if (e2e) {
  stack = await import('./stack.mjs');
  log('starting the local stack (Kafka, PostgreSQL) where none is configured');
  const up = await stack.stackUp();
  started = up.started;
  env.KAFKA_BROKERS = up.KAFKA_BROKERS;
  env.DATABASE_URL = up.DATABASE_URL;
}

let status = 1;
try {
  log(`running ${files.length} test files`);
  const result = spawnSync(
    process.execPath,
    ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
    { cwd: ROOT, stdio: 'inherit', env },
  );
  status = result.status ?? 1;
} finally {
  if (stack && (started.kafka || started.postgres)) {
    log('stopping the local stack');
    await stack.stackDown();
  }
}
process.exit(status);
