import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { benchNodeArgs, chartMemory } from './chart-limits';

const VALUES = `
node: { semiSpaceMb: 16 }
services:
  config: { heapMb: 100, heapGrowingPercent: 0, resources: { limits: { memory: 200Mi } } }
  ingest: { heapMb: 101, heapGrowingPercent: 100, resources: { limits: { memory: 201Mi } } }
  redaction:
    resources:
      limits: { memory: 202Mi }
    heapMb: 102
    heapGrowingPercent: 50
  fan-out: { heapMb: 103, heapGrowingPercent: 0, resources: { limits: { memory: 203Mi } } }
  retry: { heapMb: 104, heapGrowingPercent: 0, resources: { limits: { memory: 204Mi } } }
  failure-log: { heapMb: 105, heapGrowingPercent: 0, resources: { limits: { memory: 205Mi } } }
`;

describe('chartMemory', () => {
  it("given the chart's values, when read, then each service has its heapMb and memory limit", () => {
    const memory = chartMemory(VALUES);
    assert.deepEqual(memory.redaction, {
      heapMb: 102,
      semiSpaceMb: 16,
      heapGrowingPercent: 50,
      limit: '202Mi',
    });
    assert.deepEqual(memory['fan-out'], {
      heapMb: 103,
      semiSpaceMb: 16,
      heapGrowingPercent: 0,
      limit: '203Mi',
    });
  });

  it('given a service without heapGrowingPercent, when read, then it throws', () => {
    assert.throws(
      () => chartMemory(VALUES.replace('heapGrowingPercent: 100, ', '')),
      /services\.ingest\.heapGrowingPercent/,
    );
  });

  it('given a service without heapMb, when read, then it throws rather than run without a limit', () => {
    assert.throws(() => chartMemory(VALUES.replace('heapMb: 104, ', '')), /services\.retry\.heapMb/);
  });

  it('given no node.semiSpaceMb, when read, then it throws rather than run with V8 sizing it from the heap', () => {
    assert.throws(() => chartMemory(VALUES.replace('node: { semiSpaceMb: 16 }', '')), /node\.semiSpaceMb/);
  });

  it('given the real values.yaml, when read, then every heap is below its limit', () => {
    const { limits } = benchNodeArgs({});
    assert.ok(limits);
    for (const [name, { heapMb, limit }] of Object.entries(limits)) {
      assert.ok(heapMb < Number(/^(\d+)Mi$/.exec(limit)?.[1]), `${name}: ${heapMb} MiB, limit ${limit}`);
    }
  });
});

describe('benchNodeArgs', () => {
  it("given no switch, then each service runs with the chart's old-space and semi-space sizes", () => {
    const { nodeArgs } = benchNodeArgs({}, () => VALUES);
    assert.deepEqual(nodeArgs.config, ['--max-old-space-size=100', '--max-semi-space-size=16']);
    assert.deepEqual(nodeArgs.retry, ['--max-old-space-size=104', '--max-semi-space-size=16']);
  });

  it("given a service's heapGrowingPercent, then it runs with --heap-growing-percent; 0 leaves V8's own", () => {
    const { nodeArgs } = benchNodeArgs({}, () => VALUES);
    assert.deepEqual(nodeArgs.ingest, [
      '--max-old-space-size=101',
      '--max-semi-space-size=16',
      '--heap-growing-percent=100',
    ]);
    assert.ok(!nodeArgs['fan-out']?.some((arg) => arg.startsWith('--heap-growing-percent')));
  });

  it('given BENCH_HEAP_LIMITS=0, then no service has a heap limit and the chart is not read', () => {
    const result = benchNodeArgs({ BENCH_HEAP_LIMITS: '0' }, () => {
      throw new Error('read');
    });
    assert.deepEqual(result, { limits: null, nodeArgs: {} });
  });
});
