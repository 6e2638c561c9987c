import { CronExpressionParser } from 'cron-parser';

/**
 * Schedules: a standard 5-field cron expression (minute hour day-of-month month day-of-week),
 * read in an IANA time zone (default UTC), parsed by `cron-parser`. Pure functions of their
 * inputs: the caller passes the time (from the injected Clock).
 */

export const DEFAULT_TIMEZONE = 'UTC';

/** What is wrong with the expression, or null. Seconds fields and @-macros are refused. */
export function cronProblem(cron: string, timezone: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5)
    return 'must be a 5-field cron expression: minute hour day-of-month month day-of-week';
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: timezone, strict: false }).next();
    return null;
  } catch (err) {
    return `is not a valid cron expression (${err instanceof Error ? err.message : 'unparsable'})`;
  }
}

/** Whether the runtime knows the IANA zone (e.g. `Europe/Berlin`). */
export function isTimeZone(timezone: string): boolean {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(timezone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** The first tick strictly after `after`. */
export function nextTick(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
}

/** The latest tick at or before `now` (what a late scheduler fires: missed ticks collapse into it). */
export function latestTick(cron: string, timezone: string, now: Date): Date {
  return CronExpressionParser.parse(cron, {
    currentDate: new Date(now.getTime() + 1),
    tz: timezone,
  })
    .prev()
    .toDate();
}
