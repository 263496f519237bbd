import type { AttemptOutcome, ErrorClass } from '@hookpost/contracts';
import { isFinal, type GiveUpReason } from './attempts';

/** One step of the retry schedule: the delay in ms and its label (`10m`, `1h`, `2s`). */
export interface RetryStep {
  label: string;
  delayMs: number;
}

export const DEFAULT_RETRY_SCHEDULE = '10m,10m,15m,30m,1h,2h,4h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `10m,10m,15m,...`; throws with a message naming the bad element. */
export function parseRetrySchedule(text: string): RetryStep[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) throw new Error('the schedule is empty');
  return parts.map((part) => {
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(part);
    if (!match || Number(match[1]) <= 0) {
      throw new Error(`"${part}" is not a delay like 10m, 30s, 1h`);
    }
    return { label: part, delayMs: Number(match[1]) * UNIT_MS[match[2]] };
  });
}

/** The distinct delays of a schedule: one delay topic each. */
export function distinctDelays(schedule: readonly RetryStep[]): RetryStep[] {
  const seen = new Map<string, RetryStep>();
  for (const step of schedule) if (!seen.has(step.label)) seen.set(step.label, step);
  return [...seen.values()];
}

export function delayLabels(schedule: readonly RetryStep[]): string[] {
  return distinctDelays(schedule).map((s) => s.label);
}

export type RetryDecision =
  | { kind: 'retry'; step: RetryStep; dueAt: number; nextAttempt: number }
  | { kind: 'give_up'; why: GiveUpReason }
  | { kind: 'done' };

/**
 * What follows an attempt: a final one (isFinal: delivered, rejected, dropped) -> done; failed -> the
 * next step of the schedule, due its delay after the failure (the attempt's start + its duration: the
 * same on every replay, so a retry service that was down catches up instead of pushing jobs later), or
 * give up when the schedule is used up; excluded event types are never retried. An interrupted POST is not retried either: its job
 * was never committed, so it is delivered again from its own topic.
 */
export function decideRetry(input: {
  outcome: AttemptOutcome;
  errorClass: ErrorClass | null;
  attempt: number;
  webhook: string;
  schedule: readonly RetryStep[];
  excludedEvents: ReadonlySet<string>;
  failedAt: number;
}): RetryDecision {
  if (isFinal(input.outcome) || input.errorClass === 'interrupted') return { kind: 'done' };
  if (input.excludedEvents.has(input.webhook)) return { kind: 'give_up', why: 'excluded' };
  const step = input.schedule[input.attempt - 1];
  if (!step) return { kind: 'give_up', why: 'exhausted' };
  return { kind: 'retry', step, dueAt: input.failedAt + step.delayMs, nextAttempt: input.attempt + 1 };
}
