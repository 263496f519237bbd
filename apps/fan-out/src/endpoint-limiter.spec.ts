import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { endpointOf, EndpointLimiter } from './endpoint-limiter';

const tick = () => new Promise((r) => setImmediate(r));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('EndpointLimiter', () => {
  it('given more tasks than the limit for one endpoint, then only `limit` run at once, in arrival order', async () => {
    const limiter = new EndpointLimiter(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run('https://a', async () => {
        started.push(i);
        await gate.promise;
      }),
    );
    await tick();
    assert.deepEqual(started, [0, 1]);
    assert.equal(limiter.inUse('https://a'), 2);
    assert.equal(limiter.queued('https://a'), 2);
    gates[1].resolve();
    await tick();
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    gates[0].resolve();
    gates[2].resolve();
    gates[3].resolve();
    await Promise.all(runs);
    assert.deepEqual(started, [0, 1, 2, 3]);
    assert.equal(limiter.inUse('https://a'), 0);
    assert.equal(limiter.queued('https://a'), 0);
  });

  it('given one endpoint at its limit, then another endpoint still runs at once', async () => {
    const limiter = new EndpointLimiter(1);
    const hang = deferred();
    const slow = limiter.run('https://slow', () => hang.promise);
    let ran = false;
    await limiter.run('https://fast', async () => {
      ran = true;
    });
    assert.equal(ran, true);
    hang.resolve();
    await slow;
  });

  it('given a task that throws, then its slot is released', async () => {
    const limiter = new EndpointLimiter(1);
    await assert.rejects(
      limiter.run('https://a', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(limiter.inUse('https://a'), 0);
    assert.equal(await limiter.run('https://a', async () => 7), 7);
  });
});

describe('endpointOf', () => {
  it('given URLs of one origin, then they share the endpoint key', () => {
    assert.equal(endpointOf('https://h.example.com/a?x=1'), endpointOf('https://h.example.com:443/b'));
    assert.notEqual(endpointOf('https://h.example.com/a'), endpointOf('http://h.example.com/a'));
  });
  it('given an invalid URL, then the text itself is the key', () => {
    assert.equal(endpointOf('not a url'), 'not a url');
  });
});

describe('EndpointLimiter.close', () => {
  it('given waiting tasks, when closed, then they are refused with the error and never run; running ones finish', async () => {
    const limiter = new EndpointLimiter(1);
    const gate = deferred();
    const running = limiter.run('https://a', () => gate.promise);
    let ran = false;
    const waiting = limiter.run('https://a', async () => {
      ran = true;
    });
    limiter.close(() => new Error('stopping'));
    await assert.rejects(waiting, /stopping/);
    await assert.rejects(
      limiter.run('https://b', async () => undefined),
      /stopping/,
    );
    gate.resolve();
    await running;
    assert.equal(ran, false);
  });
});
