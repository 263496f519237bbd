import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import type { Consumer } from 'kafkajs';
import { pino } from 'pino';
import { PendingCommits } from './commit-timer';

/** A consumer that records commits and lets the test announce a group join. */
function recordingConsumer() {
  const commits: Array<Array<{ topic: string; partition: number; offset: string }>> = [];
  const listeners: Array<() => void> = [];
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: (_event: string, listener: () => void) => listeners.push(listener),
    commitOffsets: async (offsets: Array<{ topic: string; partition: number; offset: string }>) => {
      if (failures > 0) {
        failures--;
        throw new Error('the coordinator is loading');
      }
      commits.push(offsets);
    },
  } as unknown as Consumer;
  let failures = 0;
  return {
    consumer,
    commits,
    join: () => listeners.forEach((l) => l()),
    failNext: (n: number) => (failures = n),
  };
}

const logger = pino({ level: 'silent' });

describe('PendingCommits', () => {
  it('given offsets done, when flushed, then each partition commits the offset after its last', async () => {
    const { consumer, commits } = recordingConsumer();
    const pending = new PendingCommits(consumer, 60_000, logger);
    pending.done('t', 0, '4');
    pending.done('t', 0, '9');
    pending.done('t', 1, '2');
    await pending.flush();
    assert.deepEqual(commits, [
      [
        { topic: 't', partition: 0, offset: '10' },
        { topic: 't', partition: 1, offset: '3' },
      ],
    ]);
  });

  it('given work begun before the group was joined again, when it is done, then it is not committed', async () => {
    const { consumer, commits, join } = recordingConsumer();
    const pending = new PendingCommits(consumer, 60_000, logger);
    const before = pending.currentGeneration;
    join();
    pending.done('t', 0, '9', before);
    pending.done('t', 1, '2', pending.currentGeneration);
    await pending.flush();
    assert.deepEqual(commits, [[{ topic: 't', partition: 1, offset: '3' }]]);
  });

  it('given halted, then what was pending still commits and later offsets do not', async () => {
    const { consumer, commits } = recordingConsumer();
    const pending = new PendingCommits(consumer, 60_000, logger);
    pending.done('t', 0, '4');
    pending.halt();
    pending.done('t', 0, '9');
    pending.done('t', 1, '2');
    await pending.flush();
    assert.deepEqual(commits, [[{ topic: 't', partition: 0, offset: '5' }]]);
  });

  it('given messages finished out of order on a tracker, when flushed, then the commit stops below the lowest one still in flight', async () => {
    const { consumer, commits } = recordingConsumer();
    const pending = new PendingCommits(consumer, 60_000, logger);
    const tracker = pending.tracker('t', 0);
    for (const offset of ['5', '6', '7']) tracker.start(offset);
    tracker.finish('7');
    tracker.finish('5');
    await pending.flush();
    assert.deepEqual(commits, [[{ topic: 't', partition: 0, offset: '6' }]]);
  });

  it('given a tracker of the generation before a group join, when its work finishes, then nothing of it is committed', async () => {
    const { consumer, commits, join } = recordingConsumer();
    const pending = new PendingCommits(consumer, 60_000, logger);
    const old = pending.tracker('t', 0);
    old.start('3');
    join();
    old.finish('3');
    assert.notEqual(pending.tracker('t', 0), old);
    await pending.flush();
    assert.deepEqual(commits, []);
  });

  it('given a commit that fails, then it is tried again within the interval with what finished meanwhile', async () => {
    const { consumer, commits, failNext } = recordingConsumer();
    const pending = new PendingCommits(consumer, 10, logger);
    failNext(1);
    pending.done('t', 0, '4');
    await new Promise((r) => setTimeout(r, 15));
    pending.done('t', 0, '6');
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(commits, [[{ topic: 't', partition: 0, offset: '7' }]]);
  });

  it('given a flush (a stop), then no commit is scheduled after it', async () => {
    const { consumer, commits } = recordingConsumer();
    const pending = new PendingCommits(consumer, 10, logger);
    pending.done('t', 0, '1');
    await pending.flush();
    pending.done('t', 0, '2');
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(commits, [[{ topic: 't', partition: 0, offset: '2' }]]);
  });
});
