#!/usr/bin/env node
// npm test: from nothing to a full run. Installs what is missing, builds, lints, starts the local
// Kafka + PostgreSQL (unless KAFKA_BROKERS / DATABASE_URL point at existing ones), runs unit and
// end-to-end tests with Jest (on the compiled tests in dist/), and stops what it started. Before the unit
// tests, the Helm chart check (scripts/chart-check.mjs: helm and chartcheck built with Go, cached in .local/).
// The end-to-end tests include the web console's, in Debian's Chromium (installed with apt-get if missing).
//   --unit   unit tests only (no stack)      --e2e   end-to-end tests only      --no-lint      --no-chart
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, build, ensureChromium, ensureRuntime, log, ROOT, run } from './lib.mjs';

const args = new Set(process.argv.slice(2));
const unit = !args.has('--e2e');
const e2e = !args.has('--unit');

await ensureRuntime();
build();
if (!args.has('--no-lint')) {
  log('lint (eslint + prettier)');
  run(bin('eslint'), ['.', '--max-warnings=0']);
  run(bin('prettier'), ['--check', '--log-level=warn', '.']);
}

if (unit && !args.has('--no-chart')) {
  log('chart check (helm lint, helm template, manifests validated against the Kubernetes API types)');
  run(process.execPath, [join('scripts', 'chart-check.mjs')]);
}

const selection =
  unit && e2e ? [] : unit ? ['--testPathIgnorePatterns', 'e2e-spec'] : ['--testPathPatterns', 'e2e-spec'];

let stack = null;
let started = { kafka: false, postgres: false };
const env = { ...process.env };
if (e2e) {
  ensureChromium(); // the web console's browser tests (test/e2e/console.e2e-spec.ts)
  stack = await import('./stack.mjs');
  log('starting the local stack (Kafka, PostgreSQL) where none is configured');
  const up = await stack.stackUp();
  started = up.started;
  env.KAFKA_BROKERS = up.KAFKA_BROKERS;
  env.DATABASE_URL = up.DATABASE_URL;
}

let status; // set where the try block completes; an exception leaves through finally
try {
  const report = join(ROOT, '.local', 'jest-results.json');
  mkdirSync(join(ROOT, '.local'), { recursive: true });
  // Jest on this Node (24, see ensureRuntime), whatever `node` is first on PATH.
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
      ...['--ci', '--runInBand', '--json', `--outputFile=${report}`, ...selection],
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env,
    },
  );
  status = result.status ?? 1;
  if (existsSync(report)) {
    const { numPassedTests, numFailedTests } = JSON.parse(readFileSync(report, 'utf8'));
    process.stdout.write(`Tests: ${numPassedTests} passed, ${numFailedTests} failed\n`);
  }
} finally {
  if (stack && (started.kafka || started.postgres)) {
    log('stopping the local stack');
    await stack.stackDown();
  }
}
process.exit(status);
