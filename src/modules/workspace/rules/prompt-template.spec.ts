import { renderPrompt } from './prompt-template.js';
import { cronProblem, isTimeZone, latestTick, nextTick } from './schedule.js';

describe('renderPrompt', () => {
  it('fills names and paths, renders objects as JSON and unknown names empty', () => {
    expect(
      renderPrompt('Post {{ postId }}: {{payload.order.id}} {{payload.items}} [{{nope.x}}]', {
        postId: 'p1',
        payload: { order: { id: 42 }, items: ['a'] },
      }),
    ).toBe('Post p1: 42 ["a"] []');
  });

  it('does not read inherited properties and cuts at the prompt limit', () => {
    expect(renderPrompt('{{payload.constructor}}', { payload: {} })).toBe('');
    expect(renderPrompt('{{x}}', { x: 'y'.repeat(9000) })).toHaveLength(8000);
  });
});

describe('schedules', () => {
  it('takes 5-field expressions only', () => {
    expect(cronProblem('*/5 * * * *', 'UTC')).toBeNull();
    expect(cronProblem('0 */5 * * * *', 'UTC')).toMatch(/5-field/);
    expect(cronProblem('@daily', 'UTC')).toMatch(/5-field/);
    expect(cronProblem('61 * * * *', 'UTC')).toMatch(/not a valid cron/);
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('computes ticks in the rule’s time zone', () => {
    const now = new Date('2026-11-28T10:03:00Z');
    // 09:00 in Berlin is 08:00 UTC in November.
    expect(nextTick('0 9 * * *', 'Europe/Berlin', now).toISOString()).toBe(
      '2026-11-29T08:00:00.000Z',
    );
    expect(latestTick('*/5 * * * *', 'UTC', now).toISOString()).toBe('2026-11-28T10:00:00.000Z');
    expect(latestTick('*/5 * * * *', 'UTC', new Date('2026-11-28T10:05:00Z')).toISOString()).toBe(
      '2026-11-28T10:05:00.000Z',
    );
  });
});
