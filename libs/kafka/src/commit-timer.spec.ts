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
      commits.push(offsets);
    },
  } as unknown as Consumer;
  return { consumer, commits, join: () => listeners.forEach((l) => l()) };
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
});
