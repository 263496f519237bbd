/**
 * The whole machine's CPU time, from the first line of Linux's /proc/stat: every process counts (the
 * broker, PostgreSQL, the bench and its endpoints, the services), and so does time the hypervisor gave
 * to other guests (steal), which is how a shared VM's speed drifts during a session.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MS_PER_TICK } from '../test/support/processes';

export interface MachineCpu {
  /** user + nice + system + irq + softirq, in ms of CPU (all cores). */
  busyMs: number;
  /** Time this VM was ready to run but the hypervisor ran something else, in ms of CPU. */
  stealMs: number;
}

/** The machine's CPU time so far; null where /proc/stat is absent or unreadable. */
export function machineCpu(stat = readProcStat()): MachineCpu | null {
  const line = stat?.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is counted in user)
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  if ([user, nice, system, irq, softirq, steal].some((v) => !Number.isFinite(v))) return null;
  return {
    busyMs: (user + nice + system + irq + softirq) * MS_PER_TICK,
    stealMs: steal * MS_PER_TICK,
  };
}

/** CPU used between two readings: busy and steal, per `per` (null when either reading is missing). */
export function machineCpuSince(
  before: MachineCpu | null,
  after: MachineCpu | null,
  per: number,
): { busy: number; steal: number } | null {
  if (!before || !after || per <= 0) return null;
  return {
    busy: Math.round((after.busyMs - before.busyMs) / per),
    steal: Math.round((after.stealMs - before.stealMs) / per),
  };
}

/**
 * CPU per delivery the whole machine can spend at `rate` deliveries/s, in µs: its cores' time divided by
 * the rate (2 cores at 5,000/s: 400 µs for the broker, the database, the services and the endpoints).
 */
export function cpuBudgetUs(rate: number, cores = availableParallelism()): number {
  return Math.round((cores * 1_000_000) / rate);
}

function readProcStat(): string | null {
  try {
    return readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
}

/** Which part of the machine a process is: the Kafka broker, PostgreSQL, or anything else. */
export type ProcessGroup = 'broker' | 'database' | 'other';

/** A process's group from its command name and command line (/proc/<pid>/comm, cmdline). */
export function processGroupOf(comm: string, cmdline: string): ProcessGroup {
  if (comm === 'java' && /kafka\.Kafka\b|kafka-server|kafka\/libs/.test(cmdline)) return 'broker';
  if (comm === 'postgres' || cmdline.startsWith('postgres:')) return 'database';
  return 'other';
}

/**
 * CPU time (ms, user + system) used so far by the broker's and PostgreSQL's processes, read from /proc;
 * null where /proc is absent. Processes that ended in between are not counted (the stack's do not end).
 */
export function groupCpu(): Record<Exclude<ProcessGroup, 'other'>, number> | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const used = { broker: 0, database: 0 };
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const group = processGroupOf(comm, cmdline);
      if (group === 'other') continue;
      // fields after the command: state is [0], utime [11], stime [12]
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      used[group] += (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
    } catch {
      // gone since the listing
    }
  }
  return used;
}
