import { routeErrors } from './route-errors.js';

const codes = (...args: Parameters<typeof routeErrors>) => routeErrors(...args).map((e) => e.code);

describe('the errors a route can answer', () => {
  it('lists input, body, access, declared, then unavailable and rate-limit errors, in that order', () => {
    expect(
      codes({
        rule: { kind: 'user', scopes: ['posts:write'] },
        method: 'POST',
        hasInput: true,
        declared: ['not_found', 'forbidden'],
      }),
    ).toEqual([
      'validation_failed',
      'payload_too_large',
      'unsupported_media_type',
      'unauthenticated',
      'invalid_token',
      'ip_not_allowed',
      'insufficient_scope',
      'csrf_failed',
      'forbidden',
      'not_found',
      'unavailable',
      'rate_limited',
    ]);
  });

  it('adds no body errors to a DELETE and no input error without input', () => {
    expect(
      codes({ rule: { kind: 'browser-only' }, method: 'DELETE', hasInput: false, declared: [] }),
    ).toEqual([
      'unauthenticated',
      'invalid_token',
      'session_required',
      'csrf_failed',
      'forbidden',
      'unavailable',
      'rate_limited',
    ]);
  });

  it('gives a public read only what every route has, with each status from the error table', () => {
    expect(
      routeErrors({ rule: { kind: 'public' }, method: 'GET', hasInput: false, declared: [] }),
    ).toEqual([
      { status: 503, code: 'unavailable', when: expect.any(String) as string },
      { status: 429, code: 'rate_limited', when: expect.any(String) as string },
    ]);
  });
});
