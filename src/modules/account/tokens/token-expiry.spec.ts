import { parseTokenExpiry } from './token-expiry.js';
import { MAX_TOKEN_LIFETIME_MS } from './tokens.service.js';

const NOW = Date.parse('2026-11-28T12:00:00.000Z');
const DAY = 24 * 3600 * 1000;

/** The field errors of the validation problem `parse` throws. */
function refusal(raw: string) {
  try {
    parseTokenExpiry(raw, NOW);
  } catch (err) {
    return err as { code: string; extensions: { errors: unknown[] } };
  }
  throw new Error(`${raw} was accepted`);
}

describe('token expiry', () => {
  it('means no expiry when none is given', () => {
    expect(parseTokenExpiry(undefined, NOW)).toBeUndefined();
  });

  it('accepts a future date-time up to a year out (366 days)', () => {
    expect(parseTokenExpiry('2026-11-29T12:00:00Z', NOW)).toEqual(new Date(NOW + DAY));
    expect(parseTokenExpiry('2026-11-28T12:00:00.001Z', NOW)?.getTime()).toBe(NOW + 1);
    const lastMoment = new Date(NOW + MAX_TOKEN_LIFETIME_MS).toISOString();
    expect(parseTokenExpiry(lastMoment, NOW)?.getTime()).toBe(NOW + 366 * DAY);
    // An offset is honoured, not dropped.
    expect(parseTokenExpiry('2026-12-01T00:00:00+02:00', NOW)?.toISOString()).toBe(
      '2026-11-30T22:00:00.000Z',
    );
  });

  it('refuses the present and the past', () => {
    for (const raw of [
      '2026-11-28T12:00:00.000Z',
      '2026-11-28T11:59:59Z',
      '2000-01-01T00:00:00Z',
    ]) {
      expect(refusal(raw)).toMatchObject({
        code: 'validation_failed',
        extensions: { errors: [{ field: 'expiresAt', message: 'must be in the future' }] },
      });
    }
  });

  it('refuses more than a year out', () => {
    const tooLate = new Date(NOW + MAX_TOKEN_LIFETIME_MS + 1).toISOString();
    for (const raw of [tooLate, '2030-01-01T00:00:00Z']) {
      expect(refusal(raw)).toMatchObject({
        code: 'validation_failed',
        extensions: {
          errors: [{ field: 'expiresAt', message: 'must be at most one year from now' }],
        },
      });
    }
  });

  it('refuses what is not a date-time', () => {
    for (const raw of ['tomorrow', '', '2026-13-45T00:00:00Z']) {
      expect(refusal(raw)).toMatchObject({
        code: 'validation_failed',
        extensions: { errors: [{ field: 'expiresAt', message: 'must be an ISO 8601 date-time' }] },
      });
    }
  });

  it('measures from the current time by default', () => {
    expect(parseTokenExpiry(new Date(Date.now() + DAY).toISOString())).toBeInstanceOf(Date);
    expect(() => parseTokenExpiry(new Date(Date.now() - 1000).toISOString())).toThrow();
  });
});
