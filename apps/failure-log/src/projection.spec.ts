import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../libs/domain/src/testing/expect-equal';
import { writeOrSplit } from './projection';

/** A batch as rows (names) with their offsets; a write fails as `failWith` says for a part holding a bad row. */
type Batch = Array<{ name: string; offset: string }>;
const rowError = Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' });
const connectionError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function harness(bad: (name: string) => Error | null) {
  const written: string[][] = [];
  let heartbeats = 0;
  const write = (batch: Batch) => {
    const error = batch.map((r) => bad(r.name)).find((e) => e !== null);
    if (error) return Promise.reject(error);
    written.push(batch.map((r) => r.name));
    return Promise.resolve();
  };
  const rowByRow = {
    split: (batch: Batch) => batch.map((r) => ({ part: [r], offset: r.offset })),
    isRowError: (err: unknown) => err === rowError,
  };
  const heartbeat = () => {
    heartbeats++;
    return Promise.resolve();
  };
  return { written, write, rowByRow, heartbeat, heartbeats: () => heartbeats };
}

const batch: Batch = [
  { name: 'a', offset: '1' },
  { name: 'bad', offset: '2' },
  { name: 'c', offset: '3' },
];

describe('writeOrSplit', () => {
  it('given a batch that writes, then one write and nothing rejected', async () => {
    const h = harness(() => null);
    expectEqual(await writeOrSplit(batch, h.write, h.rowByRow, h.heartbeat), []);
    expectEqual(h.written, [['a', 'bad', 'c']]);
  });

  it('given a batch with a row PostgreSQL refuses, then the others are written one by one and that one is rejected with the reason', async () => {
    const h = harness((name) => (name === 'bad' ? rowError : null));
    const rejected = await writeOrSplit(batch, h.write, h.rowByRow, h.heartbeat);
    expectEqual(rejected, [
      {
        offset: '2',
        reason:
          'failure log: PostgreSQL refused the row: invalid input syntax for type json (SQLSTATE 22P02)',
      },
    ]);
    expectEqual(h.written, [['a'], ['c']]);
    assert.equal(h.heartbeats(), 3);
  });

  it('given the database unreachable, then it throws (wait and retry): nothing is rejected', async () => {
    const h = harness(() => connectionError);
    await assert.rejects(writeOrSplit(batch, h.write, h.rowByRow, h.heartbeat), connectionError);
    expectEqual(h.written, []);
  });

  it('given the database lost while writing row by row, then it throws rather than reject the rest', async () => {
    let lost = false;
    const h = harness((name) => {
      if (name === 'bad') {
        lost = true;
        return rowError;
      }
      return lost && name === 'c' ? connectionError : null;
    });
    await assert.rejects(writeOrSplit(batch, h.write, h.rowByRow, h.heartbeat), connectionError);
  });
});
