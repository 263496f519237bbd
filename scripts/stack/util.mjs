// Small helpers shared by the local-stack modules (Node built-ins only).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LOCAL = join(ROOT, '.local');
export const HOST = '127.0.0.1';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function logger(prefix) {
  return (msg) => process.stderr.write(`[${prefix}] ${msg}\n`);
}

/** Run a program to completion; resolves {stdout, stderr, code}, rejects on a non-zero exit unless allowFail. */
export function run(cmd, args, { allowFail = false, ...opts } = {}) {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024, ...opts }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (err && err.code === 'ENOENT') {
        reject(new Error(`'${cmd}' not found on PATH`));
      } else if (err && !allowFail) {
        const detail = `${stderr}${stdout}`.trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code})\n${detail}`));
      } else {
        resolvePromise({ stdout, stderr, code });
      }
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port, host = HOST, timeoutMs = 1000) {
  return new Promise((resolvePromise) => {
    const socket = connect({ port, host });
    const done = (open) => {
      socket.destroy();
      resolvePromise(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Poll check() until it returns a truthy value; throws onTimeout() after timeoutMs. */
/** Status of a component that is not running here: its port is free, or another process holds it. */
export function notRunning(portOpen, port) {
  return portOpen ? `not ours, but port ${port} is taken by another process` : 'stopped';
}

export async function waitFor(check, { timeoutMs, intervalMs = 250, onTimeout }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw onTimeout();
    await sleep(intervalMs);
  }
}

/** True when the process exists and is not a zombie (an exited child nobody reaped yet). */
export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

export function readPidFile(file) {
  if (!existsSync(file)) return null;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function removeFile(file) {
  rmSync(file, { force: true });
}

/** Last lines of a text file, for error messages. */
export function tail(file, lines = 20) {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
