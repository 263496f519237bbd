import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import pino from 'pino';
import { onConsumerDeath } from './crash';

/** Just enough of a kafkajs consumer to emit CRASH the way kafkajs does. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
  } as unknown as Consumer;
  const crash = (restart: boolean) =>
    emitter.emit('consumer.crash', { payload: { error: new RangeError('boom'), restart, groupId: 'g' } });
  return { consumer, crash };
}

describe('onConsumerDeath', () => {
  const logger = pino({ level: 'silent' });

  it('given a crash kafkajs restarts from, then the service stays up', () => {
    const { consumer, crash } = fakeConsumer();
    let stopped = false;
    let died = false;
    onConsumerDeath(
      consumer,
      logger,
      () => (stopped = true),
      () => (died = true),
    );
    crash(true);
    assert.equal(stopped, false);
    assert.equal(died, false);
  });

  it('given a crash without restart, then the consumer is marked stopped and the process dies', () => {
    const { consumer, crash } = fakeConsumer();
    let stopped = false;
    let died = false;
    onConsumerDeath(
      consumer,
      logger,
      () => (stopped = true),
      () => (died = true),
    );
    crash(false);
    assert.equal(stopped, true);
    assert.equal(died, true);
  });
});
