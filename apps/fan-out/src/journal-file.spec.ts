import { afterEach, beforeEach, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { deliveryId, type DeliveryJob } from '@hookpost/contracts';
import { parseJournal, writtenLine, writtenPayload } from '@hookpost/domain';
import { JournalFile } from './journal-file';

const logger = pino({ level: 'silent' });

function job(eventId: string): DeliveryJob {
  const url = 'https://hooks.example.net/h';
  return {
    delivery_id: deliveryId(eventId, url),
    event_id: eventId,
    webhook: 'delivered',
    domain: 'p.example.com',
    message_id: 'm@example.com',
    url,
    level: 'domain',
    attempt: 1,
    trigger: 'initial',
    created_at: 1,
    due_at: 1,
    event_data: { event: 'delivered', id: eventId, 'user-variables': { pad: 'x'.repeat(200) } },
  };
}

const payload = (eventId: string) =>
  writtenPayload({ attemptedAt: 1000, accountId: 'acc', traceHeaders: {} }, job(eventId));

/** The end of this turn of the event loop, when the E lines of the turn are written. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A pid that no process has: that of a child that already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('JournalFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookpost-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const own = () => join(dir, `dispatch-${process.pid}.journal`);

  it('given requests written and ended, then the file holds exactly the open ones as the next start would read them', async () => {
    const journal = new JournalFile(dir, logger);
    journal.open();
    const a = journal.written(payload('a'));
    journal.written(payload('b'));
    journal.ended(a);
    journal.ended(a); // a second end of the same request changes nothing
    await turn();
    const parsed = parseJournal(readFileSync(own(), 'utf8'));
    assert.deepEqual(
      parsed.open.map((e) => e.job.event_id),
      ['b'],
    );
  });

  it('given a clean close with nothing open, then the file is gone; with requests open, it stays for the next start', () => {
    const clean = new JournalFile(dir, logger);
    clean.open();
    clean.ended(clean.written(payload('a')));
    clean.close();
    assert.equal(existsSync(own()), false);

    const cut = new JournalFile(dir, logger);
    cut.open();
    cut.written(payload('b'));
    cut.close();
    assert.deepEqual(
      parseJournal(readFileSync(own(), 'utf8')).open.map((e) => e.job.event_id),
      ['b'],
    );
  });

  it('given a W line, then it is in the file at once; the E lines of a turn go in together at its end', async () => {
    const journal = new JournalFile(dir, logger);
    journal.open();
    const a = journal.written(payload('a'));
    const b = journal.written(payload('b'));
    const open = () => parseJournal(readFileSync(own(), 'utf8')).open.map((e) => e.job.event_id);
    assert.deepEqual(open(), ['a', 'b'], 'written requests are on file before written() returns');
    journal.ended(a);
    journal.ended(b);
    assert.deepEqual(open(), ['a', 'b'], 'an E line waits for the end of the turn');
    await turn();
    assert.deepEqual(open(), []);
    assert.equal((readFileSync(own(), 'utf8').match(/^E /gm) ?? []).length, 2);
  });

  it('given E lines not yet written at a close, then the close writes them (a clean stop leaves nothing open)', () => {
    const journal = new JournalFile(dir, logger);
    journal.open();
    journal.written(payload('open'));
    journal.ended(journal.written(payload('done')));
    journal.close();
    assert.deepEqual(
      parseJournal(readFileSync(own(), 'utf8')).open.map((e) => e.job.event_id),
      ['open'],
    );
  });

  it('given the file passes its compaction size, then it is rewritten with only the open requests', async () => {
    const journal = new JournalFile(dir, logger, 4096);
    journal.open();
    const keep = journal.written(payload('keep'));
    for (let i = 0; i < 100; i++) {
      journal.ended(journal.written(payload(`done-${i}`)));
      if (i % 10 === 9) await turn();
    }
    await turn();
    assert.ok(statSync(own()).size < 4096 + 1024, `${statSync(own()).size} bytes after compaction`);
    const parsed = parseJournal(readFileSync(own(), 'utf8'));
    assert.deepEqual(
      parsed.open.map((e) => [e.seq, e.job.event_id]),
      [[keep, 'keep']],
    );
    journal.ended(journal.written(payload('after')));
    await turn();
    assert.deepEqual(
      parseJournal(readFileSync(own(), 'utf8')).open.map((e) => e.job.event_id),
      ['keep'],
      'appends go on in the compacted file',
    );
  });

  it('given journals of a dead process, of this pid (a restarted container) and of a running one, then it takes over the first two only, and release deletes them', () => {
    const dead = deadPid();
    writeFileSync(join(dir, `dispatch-${dead}.journal`), writtenLine(1, payload('dead')));
    writeFileSync(own(), writtenLine(1, payload('previous-me')) + writtenLine(2, payload('x')) + 'E 2\n');
    const running = join(dir, `dispatch-${process.ppid}.journal`);
    writeFileSync(running, writtenLine(1, payload('alive')));
    writeFileSync(join(dir, 'unrelated.txt'), 'W 1 nothing');

    const journal = new JournalFile(dir, logger);
    const orphans = journal.claimOrphans();
    assert.deepEqual(orphans.entries.map((e) => e.job.event_id).sort(), ['dead', 'previous-me']);
    assert.equal(orphans.unreadable, 0);
    assert.equal(orphans.files.length, 2);
    assert.ok(existsSync(running), 'a running dispatcher keeps its journal');

    journal.release(orphans);
    journal.open();
    assert.deepEqual(
      [...readdirSync(dir)].sort(),
      [`dispatch-${process.pid}.journal`, `dispatch-${process.ppid}.journal`, 'unrelated.txt'].sort(),
    );
    assert.equal(readFileSync(own(), 'utf8'), '', 'its own journal starts empty');
  });

  it('given a journal a dead process had claimed and not released, then it is taken over again', () => {
    const dead = deadPid();
    const claimed = join(dir, `dispatch-123.journal.recovering-${dead}`);
    writeFileSync(claimed, writtenLine(4, payload('half-recovered')));
    const orphans = new JournalFile(dir, logger).claimOrphans();
    assert.deepEqual(
      orphans.entries.map((e) => e.job.event_id),
      ['half-recovered'],
    );
    assert.deepEqual(orphans.files, [claimed]);
  });

  it('given an empty directory that does not exist yet, then nothing is claimed and it is created', () => {
    const nested = join(dir, 'a', 'b');
    const orphans = new JournalFile(nested, logger).claimOrphans();
    assert.deepEqual(orphans, { entries: [], unreadable: 0, files: [] });
    assert.ok(existsSync(nested));
  });
});
