import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { endedLine, parseJournal, writtenLine, type OpenEntry } from '@hookpost/domain';

/** Where the journal goes unless DISPATCH_JOURNAL_DIR says: one directory per topic prefix under tmp. */
export function defaultJournalDir(topicPrefix: string): string {
  return join(tmpdir(), 'hookpost-journal', topicPrefix || 'default');
}

const LIVE = /^dispatch-(\d+)\.journal$/;
const CLAIMED = /^dispatch-\d+\.journal\.recovering-(\d+)$/;

/** Journals left by dispatchers that are gone, taken over by this one (renamed, so no other takes them). */
export interface Orphans {
  entries: OpenEntry[];
  unreadable: number;
  files: string[];
}

/**
 * This replica's dispatch journal file (see `dispatch-journal.ts` in the domain for the format and why).
 * Writes are synchronous `write(2)`s to the page cache: they survive the process being killed (a kill -9,
 * the OOM killer, a container restart over the same emptyDir), not the machine losing power, which
 * takes the emptyDir with it anyway. When the file passes `compactBytes` it is rewritten with only the
 * requests still open.
 */
export class JournalFile {
  private readonly path: string;
  private fd: number | null = null;
  private seq = 0;
  private bytes = 0;
  private failed = false;
  /** seq -> its W line, for the requests written and not yet ended (at most the dispatcher's in-flight). */
  private readonly pending = new Map<number, string>();
  /** E lines not yet written: they go out together at the end of the turn of the event loop. */
  private endedLines = '';
  private flushScheduled = false;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly compactBytes = 16 * 1024 * 1024,
  ) {
    this.path = join(dir, `dispatch-${process.pid}.journal`);
  }

  /**
   * Takes over the journals of dispatchers that are no longer running: files of a process that is gone,
   * and this process id's own file (a container restarted over the same directory starts as the same
   * pid). Call before `open`; `release` them once their entries are recorded.
   */
  claimOrphans(): Orphans {
    mkdirSync(this.dir, { recursive: true });
    const orphans: Orphans = { entries: [], unreadable: 0, files: [] };
    for (const name of readdirSync(this.dir)) {
      const live = LIVE.exec(name);
      const match = live ?? CLAIMED.exec(name);
      if (!match) continue;
      const owner = Number(match[1]);
      if (owner !== process.pid && isRunning(owner)) continue;
      const file = join(this.dir, live ? `${name}.recovering-${process.pid}` : name);
      try {
        if (live) renameSync(join(this.dir, name), file);
      } catch {
        continue; // another dispatcher took it first
      }
      const parsed = parseJournal(readFileSync(file, 'utf8'));
      orphans.entries.push(...parsed.open);
      orphans.unreadable += parsed.unreadable;
      orphans.files.push(file);
    }
    return orphans;
  }

  /** Deletes taken-over journals once their open requests have attempt events. */
  release(orphans: Orphans): void {
    for (const file of orphans.files) unlinkSync(file);
  }

  open(): void {
    mkdirSync(this.dir, { recursive: true });
    this.fd = openSync(this.path, 'w');
  }

  /** Records that a request was written to its connection; returns its sequence number. */
  written(payload: string): number {
    const seq = ++this.seq;
    const line = writtenLine(seq, payload);
    this.pending.set(seq, line);
    this.append(line);
    return seq;
  }

  /**
   * Records that the attempt event of request `seq` is acknowledged. The E lines of one turn of the event
   * loop (one produce acknowledges many attempt events) are written together, in one write: an E line
   * lost to a crash only makes the next start look the request up on the attempts topic, where it finds
   * the event and leaves it alone. A W line is never deferred: it is what a crash must not lose.
   */
  ended(seq: number): void {
    if (!this.pending.delete(seq)) return;
    this.endedLines += endedLine(seq);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushEnded());
    }
  }

  private flushEnded(): void {
    this.flushScheduled = false;
    if (this.endedLines === '') return;
    const lines = this.endedLines;
    this.endedLines = '';
    this.append(lines);
    if (this.bytes >= this.compactBytes) this.compact();
  }

  /** Closes the file; deletes it when nothing is open, else leaves it for the next start to recover. */
  close(): void {
    if (this.fd === null) return;
    this.flushEnded();
    closeSync(this.fd);
    this.fd = null;
    if (this.pending.size === 0) unlinkSync(this.path);
  }

  private append(line: string): void {
    if (this.fd === null || this.failed) return;
    try {
      this.bytes += writeSync(this.fd, line);
    } catch (err) {
      // A full or broken disk must not stop deliveries: they go on without the crash record, said once.
      this.failed = true;
      this.logger.error(
        { err, path: this.path },
        'dispatch journal write failed; deliveries continue, but a crash now would leave POSTs without attempt events',
      );
    }
  }

  /** The journal rewritten with the open requests only, swapped in by an atomic rename. */
  private compact(): void {
    if (this.fd === null || this.failed) return;
    const tmp = `${this.path}.tmp`;
    try {
      const text = [...this.pending.values()].join('');
      writeFileSync(tmp, text);
      renameSync(tmp, this.path);
      closeSync(this.fd);
      this.fd = openSync(this.path, 'a');
      this.bytes = Buffer.byteLength(text);
    } catch (err) {
      this.failed = true;
      this.logger.error({ err, path: this.path }, 'dispatch journal compaction failed; journal off');
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
