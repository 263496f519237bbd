import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { createLogger, PinoNestLogger, serializeError } from './logger';

const SECRET = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const RECIPIENT = 'alice.leak@example.com';

/** What TypeORM throws when PostgreSQL ends a statement: the statement, its parameters, the driver's error. */
function queryFailed(): QueryFailedError {
  const driverError = Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
    severity: 'FATAL',
    detail: `Failing row contains (${RECIPIENT})`,
    where: `SQL function with ${SECRET}`,
    routine: 'ProcessInterrupts',
  });
  return new QueryFailedError(
    'INSERT INTO outbox (payload) VALUES ($1)',
    [JSON.stringify({ signing_key: SECRET, recipient: RECIPIENT })],
    driverError,
  );
}

/** A service's logger (a child, as components use), writing its lines into an array. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('test', 'debug', stream).child({ component: 'child' });
  return { logger, text: () => lines.join('') };
}

describe('serializeError', () => {
  it("given TypeORM's QueryFailedError, then its message, code and stack, and none of its statement, parameters or driver error", () => {
    const out = serializeError(queryFailed());
    const text = JSON.stringify(out);
    assert.ok(!text.includes(SECRET), text);
    assert.ok(!text.includes(RECIPIENT), text);
    assert.ok(!text.includes('INSERT INTO'), text);
    assert.equal(out.type, 'QueryFailedError');
    assert.equal(out.message, 'terminating connection due to administrator command');
    assert.equal(out.code, '57P01');
    assert.equal(out.severity, 'FATAL');
    assert.match(String(out.stack), /QueryFailedError/);
    assert.deepEqual(Object.keys(out).sort(), ['code', 'message', 'routine', 'severity', 'stack', 'type']);
  });

  it('given a connection error wrapping others (AggregateError) and a cause, then those too, alike', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 5432,
    });
    const out = serializeError(
      new AggregateError([refused, queryFailed()], 'all failed', { cause: queryFailed() }),
    );
    const text = JSON.stringify(out);
    assert.ok(!text.includes(SECRET) && !text.includes(RECIPIENT), text);
    assert.deepEqual(
      (out.errors as Array<Record<string, unknown>>).map((e) => [e.type, e.code]),
      [
        ['Error', 'ECONNREFUSED'],
        ['QueryFailedError', '57P01'],
      ],
    );
    assert.equal((out.cause as Record<string, unknown>).code, '57P01');
  });

  it('given an error serialized already, then the same again', () => {
    const once = serializeError(queryFailed());
    assert.deepEqual(serializeError(once), once);
  });

  it('given something not an error, then its string', () => {
    assert.deepEqual(serializeError('boom'), { type: 'string', message: 'boom' });
  });
});

describe('logger lines', () => {
  it('given an error as `err`, as `error`, under another key or one level down (kafkajs), then no parameters in the line', () => {
    const { logger, text } = capture();
    logger.warn({ err: queryFailed() }, 'as err');
    logger.warn({ error: queryFailed() }, 'as error');
    logger.warn({ failure: queryFailed() }, 'another key');
    logger.warn({ kafka: { error: queryFailed(), broker: 'b:9092' } }, 'one level down');
    const out = text();
    assert.ok(!out.includes(SECRET), out);
    assert.ok(!out.includes(RECIPIENT), out);
    assert.equal(out.match(/terminating connection due to administrator command/g)?.length, 8); // message + stack
    assert.equal(out.match(/"code":"57P01"/g)?.length, 4);
  });

  it("given Nest's logger handed the error itself, then it is serialized the same way", () => {
    const { logger, text } = capture();
    new PinoNestLogger(logger).error(queryFailed());
    const out = text();
    assert.ok(!out.includes(SECRET) && !out.includes(RECIPIENT), out);
    assert.match(out, /"code":"57P01"/);
  });
});
