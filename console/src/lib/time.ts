/** Times as the console shows and takes them. Pure (the time zone is an argument where it matters). */

/** A `datetime-local` input's value (`2025-11-14T10:00`, in the browser's zone) -> epoch seconds, or null. */
export function epochSeconds(local: string, offsetMinutesAt: (utcMs: number) => number): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // The zone's offset at that moment (getTimezoneOffset's sign: minutes to add to local time for UTC).
  return Math.floor((asUtc + offsetMinutesAt(asUtc) * 60_000) / 1000);
}

/** The browser's own offset (Date#getTimezoneOffset) at a moment. */
export const browserOffset = (utcMs: number): number => new Date(utcMs).getTimezoneOffset();

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch seconds (fractions allowed) -> `2025-11-14 10:00:05` in the given zone's local time. */
export function formatTime(seconds: number, offsetMinutesAt: (utcMs: number) => number): string {
  const ms = Math.floor(seconds * 1000);
  const local = new Date(ms - offsetMinutesAt(ms) * 60_000);
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  );
}
