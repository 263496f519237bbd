import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { kafkaSecurity } from './client';

describe('kafkaSecurity', () => {
  it('given neither TLS nor SASL, then plaintext: no ssl, no sasl', () => {
    assert.deepEqual(kafkaSecurity({ KAFKA_SSL: false }), {});
  });

  it('given KAFKA_SSL, then TLS with the default CA store', () => {
    assert.deepEqual(kafkaSecurity({ KAFKA_SSL: true }), { ssl: true });
  });

  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
    it(`given SASL ${mechanism} over TLS, then both, with the credentials`, () => {
      assert.deepEqual(
        kafkaSecurity({
          KAFKA_SSL: true,
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: 'hookpost',
          KAFKA_SASL_PASSWORD: 's3cret',
        }),
        { ssl: true, sasl: { mechanism, username: 'hookpost', password: 's3cret' } },
      );
    });
  }
});
