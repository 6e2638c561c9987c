/**
 * When a failed delivery is tried again: the first attempt is immediate, then 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, then daily, until three days after the delivery was created (the schedule
 * receivers know from Svix). Pure, so the schedule is unit-tested without a clock.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Delay before attempt n+1 after attempt n failed (index n-1); the last one repeats. */
export const RETRY_DELAYS_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  DAY,
];

/** How long a delivery (and an endpoint failing without a break) is retried. */
export const RETRY_WINDOW_MS = 3 * DAY;

/** A receiver's Retry-After is honoured up to this long (beyond it, the schedule decides). */
const MAX_RETRY_AFTER_MS = DAY;

/**
 * `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date. Null when absent or
 * unreadable, so a garbled header falls back to the schedule.
 */
export function parseRetryAfter(raw: string | undefined, now: Date): number | null {
  if (!raw) return null;
  const value = raw.trim();
  if (/^\d+$/.test(value)) return Math.min(Number(value) * SECOND, MAX_RETRY_AFTER_MS);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(at - now.getTime(), 0), MAX_RETRY_AFTER_MS);
}

/**
 * When to try again after `attempts` failed attempts (1 = the first one failed), or null when the
 * delivery has run out of time. A Retry-After longer than the scheduled delay wins.
 */
export function nextAttemptAt(input: {
  attempts: number;
  createdAt: Date;
  now: Date;
  retryAfterMs?: number | null;
}): Date | null {
  const index = Math.min(Math.max(input.attempts, 1), RETRY_DELAYS_MS.length) - 1;
  const delay = Math.max(RETRY_DELAYS_MS[index], input.retryAfterMs ?? 0);
  const at = new Date(input.now.getTime() + delay);
  return at.getTime() - input.createdAt.getTime() > RETRY_WINDOW_MS ? null : at;
}
