import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { bool, brokers, commonEnvShape, EnvError, parseEnv, port, postgresUrl, retrySchedule } from './env';

const BASE = { KAFKA_BROKERS: 'localhost:9092' };

/** The EnvError message parseEnv throws for `source`. */
function envError<S extends z.ZodRawShape>(shape: S, source: Record<string, string | undefined>): string {
  try {
    parseEnv(shape, source);
  } catch (err) {
    assert.ok(err instanceof EnvError, `expected EnvError, got ${String(err)}`);
    assert.match(err.message, /^Invalid environment:\n/);
    return err.message;
  }
  assert.fail('expected parseEnv to throw');
}

describe('parseEnv', () => {
  it('given only the required variables, when parsed, then the defaults fill in the rest', () => {
    assert.deepEqual(parseEnv(commonEnvShape, BASE), {
      KAFKA_BROKERS: ['localhost:9092'],
      KAFKA_TOPIC_PREFIX: '',
      LOG_LEVEL: 'info',
      HTTP_HOST: '0.0.0.0',
      SHUTDOWN_TIMEOUT_MS: 15000,
      KAFKA_SESSION_TIMEOUT_MS: 10000,
      KAFKA_COMPRESSION: 'lz4',
      KAFKA_SSL: false,
    });
  });

  it('given values for every variable, when parsed, then they are used and coerced', () => {
    assert.deepEqual(
      parseEnv(commonEnvShape, {
        KAFKA_BROKERS: 'k1:9092',
        KAFKA_TOPIC_PREFIX: 'eu-west.',
        LOG_LEVEL: 'debug',
        HTTP_HOST: '127.0.0.1',
        SHUTDOWN_TIMEOUT_MS: '500',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_COMPRESSION: 'zstd',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'hookpost',
        KAFKA_SASL_PASSWORD: 's3cret',
      }),
      {
        KAFKA_BROKERS: ['k1:9092'],
        KAFKA_TOPIC_PREFIX: 'eu-west.',
        LOG_LEVEL: 'debug',
        HTTP_HOST: '127.0.0.1',
        SHUTDOWN_TIMEOUT_MS: 500,
        KAFKA_SESSION_TIMEOUT_MS: 6000,
        KAFKA_COMPRESSION: 'zstd',
        KAFKA_SSL: true,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'hookpost',
        KAFKA_SASL_PASSWORD: 's3cret',
      },
    );
  });

  it('given a missing required variable, when parsed, then the error names it as required', () => {
    assert.equal(envError(commonEnvShape, {}), 'Invalid environment:\n  KAFKA_BROKERS: is required');
  });

  it('given a required variable set to the empty string, when parsed, then it counts as missing', () => {
    assert.equal(
      envError(commonEnvShape, { KAFKA_BROKERS: '' }),
      'Invalid environment:\n  KAFKA_BROKERS: is required',
    );
  });

  it('given an optional variable set to the empty string, when parsed, then its default applies', () => {
    assert.equal(parseEnv(commonEnvShape, { ...BASE, LOG_LEVEL: '' }).LOG_LEVEL, 'info');
  });

  it('given variables the shape does not know, when parsed, then they are ignored', () => {
    const env = parseEnv(commonEnvShape, { ...BASE, PATH: '/usr/bin', HOME: '/root' });
    assert.equal('PATH' in env, false);
  });

  describe('given a bad value, when parsed, then the error names the variable and what is wrong', () => {
    const shape = { ...commonEnvShape, HTTP_PORT: port(8080), FLAG: bool(false) };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ KAFKA_BROKERS: 'localhost' }, /^ {2}KAFKA_BROKERS: must be a comma-separated list of host:port$/m],
      [{ KAFKA_TOPIC_PREFIX: 'eu west' }, /^ {2}KAFKA_TOPIC_PREFIX: may only hold letters, digits/m],
      [{ LOG_LEVEL: 'loud' }, /^ {2}LOG_LEVEL: /m],
      [{ SHUTDOWN_TIMEOUT_MS: '-1' }, /^ {2}SHUTDOWN_TIMEOUT_MS: /m],
      [{ SHUTDOWN_TIMEOUT_MS: '1.5' }, /^ {2}SHUTDOWN_TIMEOUT_MS: /m],
      [{ KAFKA_SESSION_TIMEOUT_MS: '1000' }, /^ {2}KAFKA_SESSION_TIMEOUT_MS: /m],
      [{ KAFKA_COMPRESSION: 'brotli' }, /^ {2}KAFKA_COMPRESSION: /m],
      [{ HTTP_PORT: 'http' }, /^ {2}HTTP_PORT: /m],
      [{ HTTP_PORT: '0' }, /^ {2}HTTP_PORT: /m],
      [{ HTTP_PORT: '65536' }, /^ {2}HTTP_PORT: /m],
      [{ FLAG: 'maybe' }, /^ {2}FLAG: must be true or false$/m],
      [{ KAFKA_SSL: 'tls' }, /^ {2}KAFKA_SSL: must be true or false$/m],
      [{ KAFKA_SASL_MECHANISM: 'gssapi' }, /^ {2}KAFKA_SASL_MECHANISM: must be one of plain, scram-sha-256/m],
    ];
    for (const [vars, expected] of cases) {
      const [[name, value]] = Object.entries(vars);
      it(`given ${name}=${JSON.stringify(value)}`, () => {
        const message = envError(shape, { ...BASE, ...vars });
        assert.match(message, expected);
        assert.doesNotMatch(message, /is required/);
      });
    }
  });

  it('given several bad variables, when parsed, then every one is named', () => {
    const message = envError(
      { ...commonEnvShape, HTTP_PORT: port(1) },
      { LOG_LEVEL: 'loud', HTTP_PORT: 'x' },
    );
    assert.match(message, /KAFKA_BROKERS: is required/);
    assert.match(message, /LOG_LEVEL: /);
    assert.match(message, /HTTP_PORT: /);
  });
});

describe('Kafka SASL variables', () => {
  it('given a mechanism without credentials, when parsed, then both credentials are named as required', () => {
    const message = envError(commonEnvShape, { ...BASE, KAFKA_SASL_MECHANISM: 'plain' });
    assert.match(message, /^ {2}KAFKA_SASL_USERNAME: is required when KAFKA_SASL_MECHANISM is set$/m);
    assert.match(message, /^ {2}KAFKA_SASL_PASSWORD: is required when KAFKA_SASL_MECHANISM is set$/m);
  });

  it('given credentials without a mechanism, when parsed, then the mechanism is named as required', () => {
    assert.equal(
      envError(commonEnvShape, { ...BASE, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
      'Invalid environment:\n  KAFKA_SASL_MECHANISM: is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
    );
  });

  it('given a shape without the Kafka variables, when parsed, then no SASL rule applies', () => {
    assert.deepEqual(parseEnv({ P: port(1) }, { KAFKA_SASL_USERNAME: 'u' }), { P: 1 });
  });
});

describe('port', () => {
  it('given nothing, then the default; given a number, then that number', () => {
    const shape = { P: port(8081) };
    assert.equal(parseEnv(shape, {}).P, 8081);
    assert.equal(parseEnv(shape, { P: '65535' }).P, 65535);
    assert.equal(parseEnv(shape, { P: '1' }).P, 1);
  });
});

describe('bool', () => {
  const cases: Array<[string, boolean]> = [
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ];
  for (const [text, expected] of cases) {
    it(`given ${JSON.stringify(text)}, then it is ${expected}`, () => {
      assert.equal(parseEnv({ B: bool(!expected) }, { B: text }).B, expected);
    });
  }

  it('given nothing, then the default in either direction', () => {
    assert.equal(parseEnv({ B: bool(true) }, {}).B, true);
    assert.equal(parseEnv({ B: bool(false) }, {}).B, false);
  });
});

describe('brokers', () => {
  const ok: Array<[string, string[]]> = [
    ['localhost:9092', ['localhost:9092']],
    ['k1:9092,k2:9093', ['k1:9092', 'k2:9093']],
    [' k1:9092 , k2.internal:19092 ', ['k1:9092', 'k2.internal:19092']],
    ['10.0.0.5:9092', ['10.0.0.5:9092']],
  ];
  for (const [text, expected] of ok) {
    it(`given ${JSON.stringify(text)}, then the list is ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(brokers.parse(text), expected);
    });
  }

  for (const text of [
    'localhost',
    'k1:9092,',
    'k1:9092,,k2:9092',
    'k1:abc',
    'k 1:9092',
    ':9092',
    'k1:123456',
  ]) {
    it(`given ${JSON.stringify(text)}, then it is refused`, () => {
      assert.equal(brokers.safeParse(text).success, false);
    });
  }
});

describe('retrySchedule', () => {
  it("given nothing, then it is the seed's default schedule", () => {
    const env = parseEnv({ RETRY_SCHEDULE: retrySchedule }, {});
    assert.deepEqual(
      env.RETRY_SCHEDULE.map((s) => s.label),
      ['10m', '10m', '15m', '30m', '1h', '2h', '4h'],
    );
    assert.equal(env.RETRY_SCHEDULE[0].delayMs, 600_000);
  });

  it('given a short schedule, then it is parsed into steps', () => {
    assert.deepEqual(
      parseEnv({ RETRY_SCHEDULE: retrySchedule }, { RETRY_SCHEDULE: '2s,5s' }).RETRY_SCHEDULE,
      [
        { label: '2s', delayMs: 2000 },
        { label: '5s', delayMs: 5000 },
      ],
    );
  });

  it('given a bad element, then the error names RETRY_SCHEDULE and the element', () => {
    assert.equal(
      envError({ RETRY_SCHEDULE: retrySchedule }, { RETRY_SCHEDULE: '10m,soon' }),
      'Invalid environment:\n  RETRY_SCHEDULE: "soon" is not a delay like 10m, 30s, 1h',
    );
  });
});

describe('postgresUrl', () => {
  it('given postgres:// or postgresql://, then it is accepted; otherwise refused', () => {
    assert.equal(postgresUrl.safeParse('postgres://u:p@localhost:5432/db').success, true);
    assert.equal(postgresUrl.safeParse('postgresql://localhost/db').success, true);
    assert.equal(postgresUrl.safeParse('mysql://localhost/db').success, false);
  });

  it('given no DATABASE_URL, then the error says it is required', () => {
    assert.equal(
      envError({ DATABASE_URL: postgresUrl }, {}),
      'Invalid environment:\n  DATABASE_URL: is required',
    );
  });
});
