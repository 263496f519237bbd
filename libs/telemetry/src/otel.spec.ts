import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from '@jest/globals';

/**
 * Runs in its own node process: jest has its own module system, and this is about node's
 * `Module.prototype.require` as the services run it (OpenTelemetry's require hook installed).
 */
function countResolutions(): { kafkajs: number; other: number; same: boolean } {
  const script = `
    const Module = require('node:module');
    const otel = require(${JSON.stringify(join(__dirname, 'otel.js'))});
    otel.startTelemetry('spec', { OTEL_SDK_DISABLED: 'false' });
    const resolve = Module._resolveFilename;
    let calls = 0;
    Module._resolveFilename = function (...args) { calls++; return resolve.apply(this, args); };
    const heartbeat = require.resolve('kafkajs/src/protocol/requests/heartbeat/index.js');
    const fromKafkajs = Module.createRequire(heartbeat);
    const first = fromKafkajs('./v3/request'); // loads it, and what it requires
    calls = 0;
    for (let i = 0; i < 100; i++) fromKafkajs('./v3/request');
    const kafkajs = calls;
    calls = 0;
    const fromElsewhere = Module.createRequire(${JSON.stringify(join(__dirname, 'otel.js'))});
    for (let i = 0; i < 100; i++) fromElsewhere('./metrics');
    const same = first === require(require.resolve('kafkajs/src/protocol/requests/heartbeat/v3/request'));
    process.stdout.write(JSON.stringify({ kafkajs, other: calls, same }));
    process.exit(0);
  `;
  const run = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { kafkajs: number; other: number; same: boolean };
}

describe('memoiseKafkajsRequires', () => {
  it('given telemetry started, when a kafkajs file requires the same relative id 101 times, then it is resolved only the first time, to the same module', () => {
    const counts = countResolutions();
    assert.equal(counts.kafkajs, 0, `resolved ${counts.kafkajs} times`);
    assert.equal(counts.same, true);
  });

  it('given telemetry started, when a file outside kafkajs requires a relative id, then the hook resolves it each time (not memoised)', () => {
    assert.ok(countResolutions().other >= 100);
  });
});
