// Helpers shared by the project's scripts. Zero dependencies: this runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVICES = ['config', 'ingest', 'redaction', 'fan-out', 'retry'];

export function log(message) {
  process.stderr.write(`[hookpost] ${message}\n`);
}

/** Runs a command in the repo root, inheriting stdio; exits the script if it fails. */
export function run(command, args, opts = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (result.status !== 0) {
    log(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

export const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/** Installs the npm dependencies from the lockfile when they are missing or older than it. */
export function ensureDependencies() {
  const marker = join(ROOT, 'node_modules', '.hookpost-lock.sha256');
  const lockHash = createHash('sha256')
    .update(readFileSync(join(ROOT, 'package-lock.json')))
    .digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === lockHash) return;
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(marker, `${lockHash}\n`);
}

/**
 * Compiles apps, libs and tests to dist/ and writes the per-service entry points dist/apps/<name>/main.js.
 * `project` tsconfig.build.json compiles only what runs (no tests, no bench): the container image's build.
 */
export function build({ project = 'tsconfig.json' } = {}) {
  log(`building (tsc -p ${project})`);
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true }); // no stale compiled tests or services
  run(bin('tsc'), ['-p', project]);
  run(bin('tsc-alias'), ['-p', project]);
  // The gRPC contract, read at run time beside the compiled libs/contracts (CONFIG_PROTO_PATH).
  cpSync(join(ROOT, 'libs', 'contracts', 'proto'), join(ROOT, 'dist', 'libs', 'contracts', 'proto'), {
    recursive: true,
  });
  for (const name of SERVICES) {
    const dir = join(ROOT, 'dist', 'apps', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.js'), "'use strict';\nrequire('./src/main.js');\n");
  }
}
