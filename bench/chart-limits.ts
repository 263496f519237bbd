import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../test/support/processes';
import { SERVICE_NAMES, type ServiceName } from '../test/support/system';

export const CHART_VALUES = join(ROOT, 'deploy', 'helm', 'hookpost', 'values.yaml');

/** The chart's default memory settings of one service. */
export interface ChartMemory {
  /** V8's old-space limit (NODE_OPTIONS=--max-old-space-size), MiB. */
  heapMb: number;
  /** V8's semi-space (NODE_OPTIONS=--max-semi-space-size), MiB: the chart's `node.semiSpaceMb`. */
  semiSpaceMb: number;
  /** node --heap-growing-percent, or 0 for V8's own factor (the chart's `heapGrowingPercent`). */
  heapGrowingPercent: number;
  /** The container's `resources.limits.memory`, as written (e.g. `384Mi`). */
  limit: string;
}

/**
 * Each service's `heapMb` and memory limit in the chart's values.yaml: the bench runs the services as the
 * chart does, so that its RSS and throughput are those of a default install. Throws when a service lacks
 * them (the chart changed shape: the bench must not quietly run without limits).
 */
export function chartMemory(valuesYaml: string): Record<ServiceName, ChartMemory> {
  const values = parse(valuesYaml) as {
    node?: { semiSpaceMb?: unknown };
    services?: Record<
      string,
      { heapMb?: unknown; heapGrowingPercent?: unknown; resources?: { limits?: { memory?: unknown } } }
    >;
  };
  const semiSpaceMb = values.node?.semiSpaceMb;
  if (typeof semiSpaceMb !== 'number' || !Number.isInteger(semiSpaceMb) || semiSpaceMb <= 0) {
    throw new Error(`values.yaml: node.semiSpaceMb is not a positive integer (${String(semiSpaceMb)})`);
  }
  const out = {} as Record<ServiceName, ChartMemory>;
  for (const name of SERVICE_NAMES) {
    const svc = values.services?.[name];
    const heapMb = svc?.heapMb;
    const limit = svc?.resources?.limits?.memory;
    if (typeof heapMb !== 'number' || !Number.isInteger(heapMb) || heapMb <= 0) {
      throw new Error(`values.yaml: services.${name}.heapMb is not a positive integer (${String(heapMb)})`);
    }
    if (typeof limit !== 'string') {
      throw new Error(`values.yaml: services.${name}.resources.limits.memory is missing`);
    }
    const heapGrowingPercent = svc?.heapGrowingPercent;
    if (
      typeof heapGrowingPercent !== 'number' ||
      !Number.isInteger(heapGrowingPercent) ||
      heapGrowingPercent < 0
    ) {
      throw new Error(
        `values.yaml: services.${name}.heapGrowingPercent is not an integer >= 0 (${String(heapGrowingPercent)})`,
      );
    }
    out[name] = { heapMb, semiSpaceMb, heapGrowingPercent, limit };
  }
  return out;
}

/**
 * The node flags each service runs with in the bench: the chart's `--max-old-space-size=<heapMb>
 * --max-semi-space-size=<semiSpaceMb>` (and `--heap-growing-percent` where it sets one) by default; none with BENCH_HEAP_LIMITS=0 (the same build without limits, for an A/B comparison).
 */
export function benchNodeArgs(
  env: NodeJS.ProcessEnv = process.env,
  valuesYaml: () => string = () => readFileSync(CHART_VALUES, 'utf8'),
): { limits: Record<ServiceName, ChartMemory> | null; nodeArgs: Partial<Record<ServiceName, string[]>> } {
  if (env.BENCH_HEAP_LIMITS === '0') return { limits: null, nodeArgs: {} };
  const limits = chartMemory(valuesYaml());
  const nodeArgs = Object.fromEntries(
    SERVICE_NAMES.map((name) => [
      name,
      [
        `--max-old-space-size=${limits[name].heapMb}`,
        `--max-semi-space-size=${limits[name].semiSpaceMb}`,
        ...(limits[name].heapGrowingPercent > 0
          ? [`--heap-growing-percent=${limits[name].heapGrowingPercent}`]
          : []),
      ],
    ]),
  );
  return { limits, nodeArgs };
}
