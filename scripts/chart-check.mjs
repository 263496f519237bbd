#!/usr/bin/env node
// npm run chart:check: the Helm chart in deploy/helm/hookpost, offline (part of npm test unless --no-chart).
//  1. helm (pinned, `go install`) and chartcheck (deploy/helm/check, Go) into the git-ignored .local/bin,
//     each built once and rebuilt only when its version or source changes;
//  2. helm lint (default values, --strict, and --strict with the production-like values);
//  3. helm template for each render of deploy/helm/check/renders.json into .local/chart/<name>.yaml;
//  4. chartcheck on each: strict decoding into the Kubernetes API types of the version pinned in
//     deploy/helm/check/go.mod (no schema is downloaded), plus the chart's own rules;
//  5. self-tests: a broken manifest and values the schema does not allow must fail.
// Needs Go (PATH, $GO or /usr/local/go/bin/go); the first run fetches modules from the Go module proxy.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, ROOT } from './lib.mjs';

export const HELM_MODULE = 'helm.sh/helm/v3/cmd/helm';
export const HELM_VERSION = 'v3.22.0';
export const CHART = join('deploy', 'helm', 'hookpost');
const CHECK_DIR = join(ROOT, 'deploy', 'helm', 'check');
const BIN = join(ROOT, '.local', 'bin');
const OUT = join(ROOT, '.local', 'chart');
export const HELM = join(BIN, 'helm');
export const CHARTCHECK = join(BIN, 'hookpost-chartcheck');

/** The Kubernetes version the manifests are validated for: that of k8s.io/api in the checker's go.mod. */
export function kubeVersion() {
  const gomod = readFileSync(join(CHECK_DIR, 'go.mod'), 'utf8');
  const m = /^\s*k8s\.io\/api v0\.(\d+)\.(\d+)/m.exec(gomod);
  if (!m) throw new Error('deploy/helm/check/go.mod does not require k8s.io/api v0.x.y');
  return `1.${m[1]}.${m[2]}`;
}

export function renders() {
  return JSON.parse(readFileSync(join(CHECK_DIR, 'renders.json'), 'utf8')).renders;
}

function goBinary() {
  if (process.env.GO) return process.env.GO;
  const found = spawnSync('go', ['version'], { stdio: 'ignore' });
  if (found.status === 0) return 'go';
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('Go is needed to build helm and chartcheck: put it on PATH or set GO');
}

/** Runs a command; returns {status, stdout, stderr} (output captured) or exits the script when it fails. */
function exec(command, args, { allowFail = false, ...opts } = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
  });
  if (result.error) throw result.error;
  if (result.status !== 0 && !allowFail) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    log(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  return result;
}

function timed(what, fn) {
  const start = Date.now();
  const value = fn();
  log(`${what} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  return value;
}

function goEnv() {
  return { ...process.env, GOBIN: BIN, CGO_ENABLED: '0' };
}

/** helm at the pinned version in .local/bin (a stamp file records what was built). */
function ensureHelm() {
  const stamp = `${HELM_MODULE}@${HELM_VERSION}`;
  const stampFile = `${HELM}.version`;
  if (existsSync(HELM) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) return;
  log(`building ${stamp} with go install (the first time takes a few minutes)`);
  timed(`built helm ${HELM_VERSION}`, () =>
    exec(goBinary(), ['install', stamp], { env: goEnv(), stdio: ['ignore', 'inherit', 'inherit'] }),
  );
  writeFileSync(stampFile, `${stamp}\n`);
}

/** chartcheck, rebuilt when go.mod, go.sum or a .go file of deploy/helm/check changes. */
function ensureChartcheck() {
  const hash = createHash('sha256');
  for (const name of readdirSync(CHECK_DIR).sort()) {
    if (name === 'go.mod' || name === 'go.sum' || name.endsWith('.go')) {
      hash.update(name).update(readFileSync(join(CHECK_DIR, name)));
    }
  }
  const digest = hash.digest('hex');
  const stampFile = `${CHARTCHECK}.sha256`;
  if (existsSync(CHARTCHECK) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === digest) {
    return;
  }
  timed('built chartcheck (deploy/helm/check)', () =>
    exec(goBinary(), ['build', '-trimpath', '-o', CHARTCHECK, '.'], {
      cwd: CHECK_DIR,
      env: goEnv(),
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
  writeFileSync(stampFile, `${digest}\n`);
}

/** `helm template` of one render; returns the manifests. */
export function helmTemplate(args, helm = HELM) {
  return exec(helm, ['template', 'hookpost', CHART, '--kube-version', kubeVersion(), ...args]).stdout;
}

function main() {
  const started = Date.now();
  const kube = kubeVersion();
  mkdirSync(OUT, { recursive: true });
  ensureHelm();
  ensureChartcheck();

  const production = ['-f', join(CHART, 'ci', 'production-values.yaml')];
  for (const extra of [[], ['--strict'], ['--strict', ...production]]) {
    exec(HELM, ['lint', CHART, '--quiet', '--kube-version', kube, ...extra]);
  }
  log('helm lint: default values, --strict, --strict with ci/production-values.yaml');

  for (const { name, args } of renders()) {
    const file = join(OUT, `${name}.yaml`);
    writeFileSync(file, helmTemplate(args));
    const result = exec(CHARTCHECK, ['-json', join(OUT, `${name}.json`), file], { allowFail: true });
    if (result.status !== 0) {
      process.stderr.write(result.stderr);
      log(`chartcheck refused the ${name} render (${file}) for Kubernetes ${kube}`);
      process.exit(1);
    }
    log(`${name}: ${result.stdout.trim().replace(/^chartcheck: /, '')}`);
  }

  // Self-tests: the checks must catch what they exist for.
  const broken = join(CHECK_DIR, 'testdata', 'broken.yaml');
  const refused = exec(CHARTCHECK, [broken], { allowFail: true });
  const expected = [...readFileSync(broken, 'utf8').matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]);
  const missed = expected.filter((text) => !refused.stderr.includes(text));
  if (refused.status !== 1 || missed.length > 0 || expected.length === 0) {
    process.stderr.write(refused.stderr);
    log(
      `self-test failed: chartcheck exit ${refused.status} on ${broken}; not reported: ${missed.join(' | ')}`,
    );
    process.exit(1);
  }
  const badValues = [
    ['--set', 'unknownKey=1'],
    ['--set', 'services.fan-out.replica=3'],
    ['--set', 'delivery.allowPrivateDestinations=maybe'],
    ['--set', 'kafka.brokers[0]=kafka-without-port'],
    ['--set', 'kafka.sasl.mechanism=gssapi'],
    ['--set', 'kafka.minInsyncReplicas=0'],
  ];
  for (const args of badValues) {
    const result = exec(HELM, ['template', 'hookpost', CHART, '--kube-version', kube, ...args], {
      allowFail: true,
    });
    if (result.status === 0 || !/values don't meet the specifications of the schema/.test(result.stderr)) {
      log(`self-test failed: values.schema.json accepted ${args.join(' ')}`);
      process.exit(1);
    }
  }
  log(
    `self-tests: ${expected.length} problems found in testdata/broken.yaml, ${badValues.length} bad values refused`,
  );
  log(`chart check passed for Kubernetes ${kube} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '')) main();
