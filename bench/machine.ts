/**
 * The whole machine's CPU time, from the first line of Linux's /proc/stat: every process counts (the
 * broker, PostgreSQL, the bench and its endpoints, the services), and so does time the hypervisor gave
 * to other guests (steal), which is how a shared VM's speed drifts during a session.
 */
import { readFileSync } from 'node:fs';
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
