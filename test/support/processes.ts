import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Linux fixes /proc's CPU tick (USER_HZ) at 100 per second. */
export const MS_PER_TICK = 10;

/** One service run from dist/ as a real process, as `npm start` and Kubernetes run it. */
export class ServiceProcess {
  readonly output: string[] = [];
  private exitCode: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exitCode = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // BENCH_LOG_DIR: each service's output also goes to <dir>/<name>-<pid>.log (e.g. with --trace-gc).
    const dir = process.env.BENCH_LOG_DIR;
    let file: ReturnType<typeof createWriteStream> | null = null;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      file = createWriteStream(join(dir, `${name}-${child.pid}.log`));
      child.once('exit', () => file?.end());
    }
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.output.push(chunk.toString('utf8'));
        file?.write(chunk);
      });
    }
  }

  /** `nodeArgs`: node flags of this service (the bench's heap limits); BENCH_NODE_ARGS come after them. */
  static spawn(
    name: string,
    env: Record<string, string>,
    port: number,
    nodeArgs: readonly string[] = [],
  ): ServiceProcess {
    // BENCH_NODE_ARGS: extra node flags for the services (e.g. --cpu-prof, which NODE_OPTIONS refuses).
    const args = [...nodeArgs, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    const child = spawn(process.execPath, [...args, join(ROOT, 'dist', 'apps', name, 'main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(name, port, child);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The process's peak resident set size so far (Linux VmHWM), in MiB; null where /proc is absent. */
  peakRssMb(): number | null {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      return kb ? Math.round(Number(kb) / 1024) : null;
    } catch {
      return null;
    }
  }

  /**
   * Starts a new peak: VmHWM falls to the current RSS (Linux's clear_refs `5`), so that peakRssMb() then
   * tells the peak of what follows. False where /proc does not allow it.
   */
  resetPeakRss(): boolean {
    try {
      writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * CPU time the process has used so far (user + system, from /proc/<pid>/stat in USER_HZ ticks), in ms;
   * null where /proc is absent.
   */
  cpuMs(): number | null {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields after the command name (in parentheses, which may hold spaces): utime and stime are 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
    } catch {
      return null;
    }
  }

  async readiness(): Promise<{ ok: boolean; body: Record<string, unknown> }> {
    const res = await fetch(`${this.url}/readyz`);
    return { ok: res.ok, body: (await res.json()) as Record<string, unknown> };
  }

  /** Polls /readyz until it answers 200; fails at once if the process exits meanwhile. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    let exited = false;
    void this.exitCode.then(() => (exited = true));
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (!exited && Date.now() < deadline) {
      try {
        if ((await this.readiness()).ok) return;
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (exited) throw new Error(`${this.name} exited: ${this.output.join('').slice(-2000)}`);
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${this.name} to be ready: ${String(last)}`);
  }

  /** SIGTERM and the exit code (null if killed by a signal). */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exitCode;
  }

  /** kill -9: no shutdown hook runs, nothing is flushed or committed. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exitCode;
  }

  /** Waits for the process to exit on its own. */
  exited(): Promise<number | null> {
    return this.exitCode;
  }
}

/** `node scripts/stack.mjs <command> --instance <instance>`: a private stack a test may stop; its stdout. */
export function stackInstance(instance: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, 'scripts', 'stack.mjs'), command, '--instance', instance],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } },
      (err, stdout, stderr) =>
        err ? reject(new Error(`stack ${command} failed: ${stderr}${stdout}`)) : resolve(stdout),
    );
  });
}
