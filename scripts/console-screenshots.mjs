#!/usr/bin/env node
// npm run console:screenshots: the web console's pages as PNGs in docs/console/ (shown in the README), taken
// by its browser test (test/e2e/console.e2e-spec.ts) against a real stack: builds, starts the local Kafka +
// PostgreSQL unless KAFKA_BROKERS / DATABASE_URL are set, runs that one test file, stops what it started.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build, ensureChromium, ensureRuntime, log, ROOT } from './lib.mjs';

await ensureRuntime();
build();
ensureChromium();
const stack = await import('./stack.mjs');
const up = await stack.stackUp();
let status; // set where the try block completes; an exception leaves through finally
try {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', join('dist', 'test', 'e2e', 'console')],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        KAFKA_BROKERS: up.KAFKA_BROKERS,
        DATABASE_URL: up.DATABASE_URL,
        CONSOLE_SCREENSHOTS: join(ROOT, 'docs', 'console'),
      },
    },
  );
  status = result.status ?? 1;
  if (status === 0) log('screenshots written to docs/console/');
} finally {
  if (up.started.kafka || up.started.postgres) await stack.stackDown();
}
process.exit(status);
