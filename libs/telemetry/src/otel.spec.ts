import assert from 'node:assert/strict';
import { Module } from 'node:module';
import { afterAll, describe, it } from '@jest/globals';
import { startTelemetry, stopTelemetry, stopWatchingRequires } from './otel';

describe('stopWatchingRequires', () => {
  afterAll(() => stopTelemetry());

  it('gives require back as it was before the instrumentations hooked it, once', () => {
    const before = Module.prototype.require;
    // A traces endpoint: the undici instrumentation is made too, before the others.
    startTelemetry('hookpost-spec', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' });
    assert.ok(Module.prototype.require !== before, 'require-in-the-middle watches every require');
    stopWatchingRequires();
    assert.ok(Module.prototype.require === before, 'require is as it was before telemetry started');
    stopWatchingRequires(); // a second call changes nothing
    assert.ok(Module.prototype.require === before, 'require is still as it was');
  });
});
