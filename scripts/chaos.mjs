#!/usr/bin/env node
// npm run test:chaos: builds, then runs the fault-injection test (test/chaos/chaos.ts) on its own
// Kafka broker and PostgreSQL (`--instance chaos`, started and stopped by the test itself). Its last line:
// `lost=0 duplicates=N posts=N attempts=N`; the exit code is 0 only when every check held.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build, ensureRuntime, ROOT } from './lib.mjs';

await ensureRuntime();
build();
const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'test', 'chaos', 'chaos.js')], {
  cwd: ROOT,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
