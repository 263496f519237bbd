import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { cpuBudgetUs, groupCpu, machineCpu, machineCpuSince, processGroupOf } from './machine';

const STAT = [
  'cpu  5719979 7 763528 6732509 43528 3 82829 112799 0 0',
  'cpu0 2817053 0 364467 3442105 11377 0 34677 56087 0 0',
  'intr 1 2 3',
].join('\n');

describe('machineCpu', () => {
  it('adds user, nice, system, irq and softirq as busy, in ms; idle and iowait are not busy', () => {
    assert.deepEqual(machineCpu(STAT), {
      busyMs: (5719979 + 7 + 763528 + 3 + 82829) * 10,
      stealMs: 112799 * 10,
    });
  });

  it('is null without the aggregate line or with a short one', () => {
    assert.equal(machineCpu('cpu0 1 2 3 4 5 6 7 8 0 0'), null);
    assert.equal(machineCpu('cpu  1 2 3 4'), null);
    assert.equal(machineCpu(null), null);
  });

  it('reads this machine (Linux): it has been busy', () => {
    assert.ok((machineCpu()?.busyMs ?? 0) > 0);
  });
});

describe('machineCpuSince', () => {
  it('divides what was used between the readings', () => {
    assert.deepEqual(machineCpuSince({ busyMs: 1000, stealMs: 10 }, { busyMs: 3000, stealMs: 110 }, 4), {
      busy: 500,
      steal: 25,
    });
  });

  it('is null when a reading is missing or there is nothing to divide by', () => {
    assert.equal(machineCpuSince(null, { busyMs: 1, stealMs: 0 }, 1), null);
    assert.equal(machineCpuSince({ busyMs: 1, stealMs: 0 }, null, 1), null);
    assert.equal(machineCpuSince({ busyMs: 1, stealMs: 0 }, { busyMs: 2, stealMs: 0 }, 0), null);
  });
});

describe('cpuBudgetUs', () => {
  it('is the cores time per delivery at the rate', () => {
    assert.equal(cpuBudgetUs(5000, 2), 400);
    assert.equal(cpuBudgetUs(1000, 8), 8000);
  });
});

describe('processGroupOf', () => {
  it('tells the broker, PostgreSQL and the rest apart', () => {
    assert.equal(
      processGroupOf('java', 'java -Xmx512m -cp /x/kafka/libs/a.jar kafka.Kafka server.properties'),
      'broker',
    );
    assert.equal(processGroupOf('postgres', '/pg/bin/postgres -D data'), 'database');
    assert.equal(processGroupOf('postgres: walw', 'postgres: walwriter '), 'database');
    assert.equal(processGroupOf('node', 'node dist/apps/fan-out/src/main.js'), 'other');
    assert.equal(processGroupOf('java', 'java -jar other.jar'), 'other');
  });
});

describe('groupCpu', () => {
  it('reads /proc on this machine', () => {
    const used = groupCpu();
    assert.ok(used !== null && used.broker >= 0 && used.database >= 0);
  });
});
