import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { endpointOf, EndpointLimiter } from './endpoint-limiter';

const tick = () => new Promise((r) => setImmediate(r));
const k = (endpoint: string, account = 'acc') => ({ endpoint, account });

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
      limiter.run(k('https://a'), async () => {
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
    const slow = limiter.run(k('https://slow'), () => hang.promise);
    let ran = false;
    await limiter.run(k('https://fast'), async () => {
      ran = true;
    });
    assert.equal(ran, true);
    hang.resolve();
    await slow;
  });

  it('given a task that throws, then its slot is released', async () => {
    const limiter = new EndpointLimiter(1);
    await assert.rejects(
      limiter.run(k('https://a'), async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(limiter.inUse('https://a'), 0);
    assert.equal(await limiter.run(k('https://a'), async () => 7), 7);
  });
});

describe('endpointOf', () => {
  it('given two paths on one host, then they are two endpoints; one URL spelled two ways is one', () => {
    assert.notEqual(endpointOf('https://h.example.com/a'), endpointOf('https://h.example.com/b'));
    assert.equal(endpointOf('https://H.example.com:443/a?x=1'), endpointOf('https://h.example.com/a?x=1#f'));
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
    const running = limiter.run(k('https://a'), () => gate.promise);
    let ran = false;
    const waiting = limiter.run(k('https://a'), async () => {
      ran = true;
    });
    limiter.close(() => new Error('stopping'));
    await assert.rejects(waiting, /stopping/);
    await assert.rejects(
      limiter.run(k('https://b'), async () => undefined),
      /stopping/,
    );
    gate.resolve();
    await running;
    assert.equal(ran, false);
  });
});

describe('EndpointLimiter: per-account cap', () => {
  it('given an account at its cap, then its next task waits while another account runs at once, and the freed account slot goes to its waiting URL', async () => {
    const limiter = new EndpointLimiter(4, 2);
    const gates = [deferred(), deferred()];
    const started: string[] = [];
    const a1 = limiter.run(k('https://h/1', 'A'), async () => {
      started.push('A1');
      await gates[0].promise;
    });
    const a2 = limiter.run(k('https://h/2', 'A'), async () => {
      started.push('A2');
      await gates[1].promise;
    });
    const events: string[] = [];
    const a3 = limiter.run(
      k('https://h/3', 'A'),
      async () => {
        started.push('A3');
      },
      { queued: () => events.push('queued'), granted: () => events.push('granted') },
    );
    await limiter.run(k('https://h/1', 'B'), async () => {
      started.push('B1');
    });
    await tick();
    assert.deepEqual(started, ['A1', 'A2', 'B1']);
    assert.equal(limiter.accountInUse('A'), 2);
    assert.equal(limiter.waiting, 1);
    assert.deepEqual(events, ['queued']);
    gates[0].resolve();
    await a1;
    await a3;
    assert.deepEqual(started, ['A1', 'A2', 'B1', 'A3']);
    assert.deepEqual(events, ['queued', 'granted']);
    assert.equal(limiter.waiting, 0);
    gates[1].resolve();
    await a2;
    assert.equal(limiter.accountInUse('A'), 0);
  });

  it('given one URL shared by two accounts, at its cap, then a freed slot alternates between the accounts waiting on it', async () => {
    const limiter = new EndpointLimiter(1, 10);
    const order: string[] = [];
    const first = deferred();
    const runs = [limiter.run(k('https://u', 'A'), () => first.promise)];
    for (const who of ['A', 'A', 'B', 'B']) {
      runs.push(
        limiter.run(k('https://u', who), async () => {
          order.push(who);
        }),
      );
    }
    first.resolve();
    await Promise.all(runs);
    assert.deepEqual(order, ['A', 'B', 'A', 'B']);
  });

  it('given many hanging URLs of one account at its cap, then another URL of the same account waits only for the cap, and other accounts never', async () => {
    const limiter = new EndpointLimiter(2, 5);
    const hang = deferred();
    const hung = Array.from({ length: 10 }, (_, i) =>
      limiter.run(k(`https://h/${i % 4}`, 'A'), () => hang.promise),
    );
    await tick();
    assert.equal(limiter.accountInUse('A'), 5, 'the account holds its cap, no more');
    assert.equal(limiter.waiting, 5);
    let other = false;
    await limiter.run(k('https://h/3', 'B'), async () => {
      other = true;
    });
    assert.equal(other, true, 'another account on a URL with a free slot runs at once');
    hang.resolve();
    await Promise.all(hung);
    assert.equal(limiter.waiting, 0);
    assert.equal(limiter.accountInUse('A'), 0);
    assert.equal(limiter.inUse('https://h/0'), 0);
  });

  it('given waiters blocked on both their URL and their account, then each is granted once both free, and counts stay exact', async () => {
    const limiter = new EndpointLimiter(1, 1);
    const gates = [deferred(), deferred()];
    const order: string[] = [];
    const runs = [
      limiter.run(k('https://x', 'A'), () => gates[0].promise), // A and x taken
      limiter.run(k('https://y', 'B'), () => gates[1].promise), // B and y taken
      limiter.run(k('https://y', 'A'), async () => void order.push('Ay')), // waits on A and y
      limiter.run(k('https://x', 'B'), async () => void order.push('Bx')), // waits on B and x
    ];
    await tick();
    assert.equal(limiter.waiting, 2);
    gates[0].resolve(); // frees A and x: Bx still needs B, Ay still needs y
    await tick();
    await tick();
    assert.deepEqual(order, []);
    gates[1].resolve(); // frees B and y
    await Promise.all(runs);
    assert.deepEqual([...order].sort(), ['Ay', 'Bx']);
    assert.equal(limiter.waiting, 0);
  });

  it('given a backlog of thousands on one URL, then they run in arrival order, and a closed limiter refuses only those still waiting', async () => {
    const limiter = new EndpointLimiter(2, 3);
    const order: number[] = [];
    const runs = Array.from({ length: 5000 }, (_, i) =>
      limiter.run(k('https://a'), async () => void order.push(i)),
    );
    assert.equal(limiter.waiting, 4998);
    await Promise.all(runs);
    assert.deepEqual(
      order,
      Array.from({ length: 5000 }, (_, i) => i),
    );
    assert.equal(limiter.queued('https://a'), 0);
    assert.equal(limiter.inUse('https://a'), 0);

    const hang = deferred();
    const held = Array.from({ length: 3000 }, () => limiter.run(k('https://b'), () => hang.promise));
    assert.equal(limiter.queued('https://b'), 2998);
    hang.resolve();
    await Promise.race(held); // some have run and freed their slots; the rest still wait
    const waitingThen = limiter.waiting;
    assert.ok(waitingThen > 0);
    limiter.close(() => new Error('stopping'));
    const settled = await Promise.allSettled(held);
    assert.equal(settled.filter((s) => s.status === 'rejected').length, waitingThen);
    assert.equal(limiter.waiting, 0);
  });
});
