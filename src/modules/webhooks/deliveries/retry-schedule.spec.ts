import { nextAttemptAt, parseRetryAfter, RETRY_WINDOW_MS } from './retry-schedule.js';

const created = new Date('2026-11-28T00:00:00.000Z');
const after = (ms: number) => new Date(created.getTime() + ms);
const s = 1000;
const min = 60 * s;
const h = 60 * min;

describe('webhook retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then daily after each failure', () => {
    let now = created;
    const gaps: number[] = [];
    for (let attempts = 1; ; attempts++) {
      const next = nextAttemptAt({ attempts, createdAt: created, now });
      if (!next) break;
      gaps.push(next.getTime() - now.getTime());
      now = next;
    }
    expect(gaps).toEqual([5 * s, 5 * min, 30 * min, 2 * h, 5 * h, 10 * h, 24 * h, 24 * h]);
    // The last attempt falls inside three days; the next one would not.
    expect(now.getTime() - created.getTime()).toBeLessThanOrEqual(RETRY_WINDOW_MS);
  });

  it('gives up once the next attempt would be more than three days after the first', () => {
    expect(nextAttemptAt({ attempts: 8, createdAt: created, now: after(71 * h) })).toBeNull();
  });

  it('lets a longer Retry-After win over the schedule, never a shorter one', () => {
    const now = after(0);
    expect(nextAttemptAt({ attempts: 1, createdAt: created, now, retryAfterMs: 60 * s })).toEqual(
      after(60 * s),
    );
    expect(nextAttemptAt({ attempts: 2, createdAt: created, now, retryAfterMs: 1 * s })).toEqual(
      after(5 * min),
    );
  });

  it('reads Retry-After as seconds or an HTTP date, capped at a day, ignoring garbage', () => {
    const now = new Date('2026-11-28T12:00:00.000Z');
    expect(parseRetryAfter('120', now)).toBe(120 * s);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:05:00 GMT', now)).toBe(5 * min);
    expect(parseRetryAfter('9999999', now)).toBe(24 * h);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
