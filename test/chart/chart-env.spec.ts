/**
 * The Helm chart against the services' own environment shapes: every variable the chart sets on a
 * container is one that service reads (OTEL_* and NODE_* aside), every variable it requires is set, and
 * the values parse as the service would parse them. Renders with the helm and chartcheck that
 * scripts/chart-check.mjs builds into .local/bin (npm test runs that first); without them the suite is
 * skipped with the reason printed, and fails under CI=true.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from '@jest/globals';
import type { z } from 'zod';
import { parseEnv } from '@hookpost/runtime';
import { configEnvShape } from '../../apps/config/src/env';
import { fanOutEnvShape } from '../../apps/fan-out/src/env';
import { failureLogEnvShape } from '../../apps/failure-log/src/env';
import { ingestEnvShape } from '../../apps/ingest/src/env';
import { provisionEnvShape } from '../../apps/provision/src/env';
import { redactionEnvShape } from '../../apps/redaction/src/env';
import { retryEnvShape } from '../../apps/retry/src/env';

const ROOT = join(__dirname, '..', '..', '..');
const HELM = join(ROOT, '.local', 'bin', 'helm');
const CHARTCHECK = join(ROOT, '.local', 'bin', 'hookpost-chartcheck');
const CHART = join('deploy', 'helm', 'hookpost');

const SHAPES: Record<string, z.ZodRawShape> = {
  config: configEnvShape,
  ingest: ingestEnvShape,
  redaction: redactionEnvShape,
  'fan-out': fanOutEnvShape,
  retry: retryEnvShape,
  'failure-log': failureLogEnvShape,
  provision: provisionEnvShape,
};
/** Standard variables read by Node itself and by OpenTelemetry, not by the services' shapes. */
const ALLOWED_EXTRA = /^(OTEL_|NODE_)/;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Container {
  name: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: { sizeLimit?: string } }>;
  securityContext?: Record<string, unknown>;
}
interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: { template?: { spec: PodSpec } };
}

const tools = existsSync(HELM) && existsSync(CHARTCHECK);
const why = `${HELM} or ${CHARTCHECK} is missing: run npm run chart:check (it builds them with Go)`;
if (!tools) {
  if (process.env.CI === 'true') {
    describe('the Helm chart', () => it('has its tools (CI=true)', () => assert.fail(why)));
  } else {
    process.stderr.write(`chart-env.spec: skipped, ${why}\n`);
  }
}

const kubeVersion = (): string => {
  const m = /^\s*k8s\.io\/api v0\.(\d+)\.(\d+)/m.exec(
    readFileSync(join(ROOT, 'deploy', 'helm', 'check', 'go.mod'), 'utf8'),
  );
  assert.ok(m, 'k8s.io/api in deploy/helm/check/go.mod');
  return `1.${m[1]}.${m[2]}`;
};
const renders: Array<{ name: string; args: string[] }> = JSON.parse(
  readFileSync(join(ROOT, 'deploy', 'helm', 'check', 'renders.json'), 'utf8'),
).renders;

const tmp = mkdtempSync(join(tmpdir(), 'hookpost-chart-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** helm template, then chartcheck (which validates again) to turn the YAML stream into JSON. */
function render(args: string[]): Manifest[] {
  const yaml = execFileSync(HELM, ['template', 'hookpost', CHART, '--kube-version', kubeVersion(), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = join(tmp, `${Math.random().toString(36).slice(2)}.json`);
  execFileSync(CHARTCHECK, ['-json', out, '-'], { input: yaml, stdio: ['pipe', 'ignore', 'pipe'] });
  return JSON.parse(readFileSync(out, 'utf8')) as Manifest[];
}

/** A stand-in for a credential the chart takes from a Secret it does not render (an existingSecret). */
function externalSecretValue(variable: string): string {
  if (variable === 'DATABASE_URL') return 'postgres://hookpost:secret@db.example.internal:5432/hookpost';
  return 'a-value-from-an-existing-secret';
}

/** The container's environment as the process would see it: env, envFrom ConfigMaps and Secrets. */
function environment(container: Container, manifests: Manifest[]): Map<string, string> {
  const find = (kind: string, name: string) =>
    manifests.find((m) => m.kind === kind && m.metadata.name === name);
  const secretValue = (name: string, key: string, variable: string): string => {
    const secret = find('Secret', name);
    if (!secret) return externalSecretValue(variable);
    const value = secret.stringData?.[key] ?? secret.data?.[key];
    assert.ok(value !== undefined, `Secret ${name} has key ${key}`);
    return secret.stringData?.[key] ?? Buffer.from(value, 'base64').toString('utf8');
  };
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    assert.equal(from.secretRef, undefined, 'credentials come one by one (secretKeyRef), not by envFrom');
    const cm = from.configMapRef && find('ConfigMap', from.configMapRef.name);
    assert.ok(cm, `ConfigMap ${from.configMapRef?.name} is rendered`);
    for (const [k, v] of Object.entries(cm.data ?? {})) env.set(k, v);
  }
  for (const e of container.env ?? []) {
    const secretRef = e.valueFrom?.secretKeyRef;
    const cmRef = e.valueFrom?.configMapKeyRef;
    if (secretRef) env.set(e.name, secretValue(secretRef.name, secretRef.key, e.name));
    else if (cmRef) env.set(e.name, find('ConfigMap', cmRef.name)?.data?.[cmRef.key] ?? '');
    else env.set(e.name, e.value ?? '');
  }
  return env;
}

/** The variables a shape cannot do without (no default, not optional). */
function requiredOf(shape: z.ZodRawShape): string[] {
  return Object.keys(shape).filter((k) => !(shape[k] as z.ZodType).safeParse(undefined).success);
}

/** The service (or provision) each workload runs, from its component label. */
function workloads(
  manifests: Manifest[],
): Array<{ component: string; manifest: Manifest; container: Container }> {
  return manifests
    .filter((m) => m.kind === 'Deployment' || m.kind === 'Job')
    .map((m) => {
      const component = m.metadata.labels?.['app.kubernetes.io/component'] ?? '';
      const containers = m.spec?.template?.spec.containers ?? [];
      assert.equal(containers.length, 1, `${m.kind} ${m.metadata.name} runs one container`);
      return { component, manifest: m, container: containers[0] };
    });
}

/** "<component>: sets X, which it does not read" and "<component>: does not set X, which it requires". */
function envProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const { component, container } of workloads(manifests)) {
    const shape = SHAPES[component];
    assert.ok(shape, `a known component: ${component}`);
    const env = environment(container, manifests);
    for (const k of env.keys()) {
      if (!(k in shape) && !ALLOWED_EXTRA.test(k))
        problems.push(`${component}: sets ${k}, which it does not read`);
    }
    for (const k of requiredOf(shape)) {
      if (!env.get(k)) problems.push(`${component}: does not set ${k}, which it requires`);
    }
  }
  return problems;
}

const memo = new Map<string, Manifest[]>();
/** One render per distinct set of arguments. */
function rendered(args: string[]): Manifest[] {
  const key = JSON.stringify(args);
  if (!memo.has(key)) memo.set(key, render(args));
  return memo.get(key) as Manifest[];
}

(tools ? describe : describe.skip)('the Helm chart', () => {
  it('catches a variable a service does not read and a required one that is missing', () => {
    const manifests = rendered([
      '--set-json',
      'services.ingest.extraEnv=[{"name":"INGEST_TYPO","value":"1"}]',
    ]);
    const config = workloads(manifests).find((w) => w.component === 'config');
    assert.ok(config);
    config.container.env = config.container.env?.filter((e) => e.name !== 'DATABASE_URL');
    assert.deepEqual(envProblems(manifests), [
      'config: does not set DATABASE_URL, which it requires',
      'ingest: sets INGEST_TYPO, which it does not read',
    ]);
  });

  for (const { name, args } of renders) {
    describe(`rendered with the ${name} values`, () => {
      const manifests = () => rendered(args);

      it('runs one Deployment per service and the provisioning Job, each with the command of its service', () => {
        const found = workloads(manifests()).map((w) => `${w.manifest.kind}/${w.component}`);
        assert.deepEqual(found.sort(), [
          'Deployment/config',
          'Deployment/failure-log',
          'Deployment/fan-out',
          'Deployment/ingest',
          'Deployment/redaction',
          'Deployment/retry',
          'Job/provision',
        ]);
        for (const { component, container } of workloads(manifests())) {
          const script = container.command?.at(-1) ?? ''; // after node's flags, if any
          assert.equal(container.command?.[0], 'node');
          assert.equal(
            script,
            component === 'provision' ? 'dist/apps/provision/src/main.js' : `dist/apps/${component}/main.js`,
          );
          assert.ok(existsSync(join(ROOT, script)), `${script} is built`);
        }
      });

      it('sets only variables each service reads (OTEL_* and NODE_* aside), and all it requires', () => {
        assert.deepEqual(envProblems(manifests()), []);
      });

      it("sets values that parse as each service's environment", () => {
        for (const { component, container } of workloads(manifests())) {
          const env = Object.fromEntries(environment(container, manifests()));
          assert.doesNotThrow(() => parseEnv(SHAPES[component], env), `${component}'s environment parses`);
        }
      });

      it('gives every service probes on /healthz and /readyz, resources and a non-root read-only context', () => {
        for (const { component, manifest, container } of workloads(manifests())) {
          const pod = manifest.spec?.template?.spec;
          assert.equal(pod?.securityContext?.runAsNonRoot, true, `${component}: runAsNonRoot`);
          assert.deepEqual(pod?.securityContext?.seccompProfile, { type: 'RuntimeDefault' });
          assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
          assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
          assert.deepEqual(container.securityContext?.capabilities, { drop: ['ALL'] });
          assert.ok(container.resources?.requests?.memory && container.resources?.limits?.memory);
          if (manifest.kind === 'Deployment') {
            assert.equal(container.livenessProbe?.httpGet?.path, '/healthz', component);
            assert.equal(container.startupProbe?.httpGet?.path, '/healthz', component);
            assert.equal(container.readinessProbe?.httpGet?.path, '/readyz', component);
          }
        }
      });

      it('runs provisioning as a pre-install and pre-upgrade hook', () => {
        const job = manifests().find((m) => m.kind === 'Job');
        assert.equal(job?.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
      });
    });
  }

  describe('defaults that matter', () => {
    const byName = (name: string) => rendered(renders.find((r) => r.name === name)?.args ?? []);

    it('refuses private webhook destinations by default', () => {
      for (const { component, container } of workloads(byName('default'))) {
        if (component === 'config' || component === 'fan-out') {
          assert.equal(environment(container, byName('default')).get('DESTINATION_ALLOW_PRIVATE'), 'false');
        }
      }
    });

    it("keeps fan-out's dispatch journal on its own emptyDir (the root filesystem is read-only)", () => {
      const manifests = byName('default');
      const fanOut = workloads(manifests).find((w) => w.component === 'fan-out');
      assert.ok(fanOut);
      const dir = environment(fanOut.container, manifests).get('DISPATCH_JOURNAL_DIR');
      const mount = fanOut.container.volumeMounts?.find((m) => m.mountPath === dir);
      assert.ok(dir && mount, `a volume is mounted at DISPATCH_JOURNAL_DIR (${dir})`);
      const volume = fanOut.manifest.spec?.template?.spec.volumes?.find((v) => v.name === mount.name);
      assert.equal(volume?.emptyDir?.sizeLimit, '128Mi');
    });

    it("sizes every service's V8 heap (old and young generations) below its memory limit, with room left for what lives outside it", () => {
      const mib = (quantity: string) => {
        const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
        assert.ok(m, `memory limit ${quantity} in Mi or Gi`);
        return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
      };
      for (const render of ['default', 'production']) {
        const manifests = byName(render);
        const services = workloads(manifests).filter((w) => w.manifest.kind === 'Deployment');
        assert.equal(services.length, 6, render);
        for (const { component, container } of services) {
          const options = environment(container, manifests).get('NODE_OPTIONS') ?? '';
          const heap = Number(/--max-old-space-size=(\d+)/.exec(options)?.[1]);
          const semiSpace = Number(/--max-semi-space-size=(\d+)/.exec(options)?.[1]);
          const limit = mib(container.resources?.limits?.memory ?? '');
          // V8's young generation is three semi-spaces (two of them and the new large-object space).
          assert.ok(
            heap >= 64 && semiSpace >= 1 && heap + 3 * semiSpace <= limit * 0.75,
            `${render} ${component}: heap ${heap} MiB, semi-space ${semiSpace} MiB, limit ${limit} MiB`,
          );
        }
      }
    });

    it("runs each service's main.js, with --heap-growing-percent on the command line where its values set one (NODE_OPTIONS refuses the flag)", () => {
      const commands = (manifests: Manifest[]) =>
        new Map(
          workloads(manifests)
            .filter((w) => w.manifest.kind === 'Deployment')
            .map((w) => [w.component, w.container.command ?? []]),
        );
      const byDefault = commands(byName('default'));
      assert.equal(byDefault.size, 6);
      for (const [component, command] of byDefault) {
        const growing = component === 'fan-out' ? [] : ['--heap-growing-percent=100'];
        assert.deepEqual(command, ['node', ...growing, `dist/apps/${component}/main.js`], component);
      }
      const set = commands(rendered(['--set', 'services.fan-out.heapGrowingPercent=50']));
      assert.deepEqual(set.get('fan-out'), [
        'node',
        '--heap-growing-percent=50',
        'dist/apps/fan-out/main.js',
      ]);
    });

    it('derives the topic prefix from the region when none is given, and uses none without a region', () => {
      const prefixes = (manifests: Manifest[]) =>
        new Set(
          workloads(manifests).map((w) => environment(w.container, manifests).get('KAFKA_TOPIC_PREFIX')),
        );
      assert.deepEqual(prefixes(byName('default')), new Set(['']));
      assert.deepEqual(prefixes(byName('production')), new Set(['eu-west-1.']));
      assert.deepEqual(
        prefixes(rendered(['--set', 'region=eu-west-1', '--set', 'kafka.topicPrefix=blue.'])),
        new Set(['blue.']),
      );
      assert.deepEqual(
        prefixes(rendered(['--set', 'region=eu-west-1', '--set', 'kafka.topicPrefix='])),
        new Set(['']),
      );
    });

    it('renders the ServiceMonitor only where the cluster has monitoring.coreos.com/v1', () => {
      const monitors = (args: string[]) =>
        rendered(['--set', 'serviceMonitor.enabled=true', ...args]).filter(
          (m) => m.kind === 'ServiceMonitor',
        );
      assert.equal(monitors([]).length, 0);
      assert.equal(monitors(['--api-versions', 'monitoring.coreos.com/v1']).length, 1);
    });

    it("carries the application's version (package.json) as the chart's appVersion and version", () => {
      const chart = readFileSync(join(ROOT, CHART, 'Chart.yaml'), 'utf8');
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.match(chart, new RegExp(`^appVersion: ["']?${version.replace(/\./g, '\\.')}["']?$`, 'm'));
      assert.match(chart, new RegExp(`^version: ${version.replace(/\./g, '\\.')}$`, 'm'));
    });
  });
});
