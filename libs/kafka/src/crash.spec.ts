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

  for (const [restart, then, dies] of [
    [true, 'the service stays up', false],
    [false, 'the consumer is marked stopped and the process dies', true],
  ] as const) {
    it(`given a crash ${restart ? 'kafkajs restarts from' : 'without restart'}, then ${then}`, () => {
      const { consumer, crash } = fakeConsumer();
      let stopped = false;
      let died = false;
      onConsumerDeath(
        consumer,
        logger,
        () => (stopped = true),
        () => (died = true),
      );
      crash(restart);
      assert.equal(stopped, dies);
      assert.equal(died, dies);
    });
  }
});
