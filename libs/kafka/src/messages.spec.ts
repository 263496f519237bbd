import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import type { KafkaMessage } from 'kafkajs';
import { detachMessage } from './messages';

describe('detachMessage', () => {
  it('copies key, value and header values out of the buffer they share', () => {
    const response = Buffer.from('KEYVALUEH1H2H3');
    const message: KafkaMessage = {
      key: response.subarray(0, 3),
      value: response.subarray(3, 8),
      timestamp: '1',
      attributes: 0,
      offset: '42',
      headers: { a: response.subarray(8, 10), b: [response.subarray(10, 12), 'text'], c: undefined },
    };
    const own = detachMessage(message);
    response.fill(0);
    assert.equal(own.key?.toString(), 'KEY');
    assert.equal(own.value?.toString(), 'VALUE');
    assert.equal(own.headers?.a?.toString(), 'H1');
    assert.deepEqual(
      (own.headers?.b as Array<Buffer | string>).map((v) => v.toString()),
      ['H2', 'text'],
    );
    assert.equal(own.headers?.c, undefined);
    assert.equal(own.offset, '42');
  });

  it('keeps null key and value null', () => {
    const own = detachMessage({
      key: null,
      value: null,
      timestamp: '1',
      attributes: 0,
      offset: '1',
      size: 0,
    });
    assert.equal(own.key, null);
    assert.equal(own.value, null);
  });
});
