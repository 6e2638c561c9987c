import { tokenExpiryHeaders } from './token-expiry-headers.js';

const DAY = 24 * 3600 * 1000;
const now = Date.parse('2026-11-28T00:00:00Z');
const at = (days: number) => new Date(now + days * DAY);

describe('token expiry headers', () => {
  it('says nothing for a token without expiry or with more than 30 days left', () => {
    expect(tokenExpiryHeaders(null, now)).toEqual({});
    expect(tokenExpiryHeaders(at(31), now)).toEqual({});
  });

  it('names the expiry in the last 30 days, without a warning before the last 7', () => {
    expect(tokenExpiryHeaders(at(30), now)).toEqual({
      'X-Token-Expires-At': '2026-12-28T00:00:00.000Z',
    });
    expect(tokenExpiryHeaders(at(7.01), now)).not.toHaveProperty('Warning');
  });

  it('adds a Warning: 299 in the last 7 days', () => {
    expect(tokenExpiryHeaders(at(7), now)).toEqual({
      'X-Token-Expires-At': '2026-12-05T00:00:00.000Z',
      Warning: '299 - "token expires at 2026-12-05T00:00:00.000Z"',
    });
    expect(tokenExpiryHeaders(at(0.5), now).Warning).toBe(
      '299 - "token expires at 2026-11-28T12:00:00.000Z"',
    );
  });
});
