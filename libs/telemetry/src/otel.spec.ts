import assert from 'node:assert/strict';
import { Module } from 'node:module';
import { afterAll, describe, it } from '@jest/globals';
import { startTelemetry, stopTelemetry, stopWatchingRequires } from './otel';

describe('stopWatchingRequires', () => {
  afterAll(() => stopTelemetry());

  it('gives require back as it was before the instrumentations hooked it, once', () => {
    const before = Module.prototype.require;
    startTelemetry('hookpost-spec', { OTEL_SDK_DISABLED: 'false' });
    assert.notEqual(Module.prototype.require, before, 'require-in-the-middle watches every require');
    stopWatchingRequires();
    assert.equal(Module.prototype.require, before);
    stopWatchingRequires(); // a second call changes nothing
    assert.equal(Module.prototype.require, before);
  });
});
