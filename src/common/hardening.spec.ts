import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  describeDatabaseError,
  errorForLog,
  isDatabaseUnavailable,
  isDataException,
} from './database-errors.js';
import { exceedsJsonDepth } from './http/json-depth.js';
import { decodeCursor, encodeCursor } from './pagination/pagination.js';
import { ProblemException } from './problems/index.js';
import { findForbiddenNulls, findUnsafeText } from './validation/input-screen.js';

const pgError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error('server said no'), { code, severity: 'ERROR', ...extra });
const failedQuery = (code: string, extra: Record<string, unknown> = {}) =>
  new QueryFailedError(
    'INSERT INTO "users"("email", "password_hash") VALUES ($1, $2)',
    ['a@b.c', '$argon2id$v=19$secret'],
    pgError(code, extra),
  );

describe('input screening', () => {
  it('finds NUL and unpaired surrogates anywhere, naming the field; paired surrogates are text', () => {
    expect(
      findUnsafeText({
        title: 'ok 😀',
        body: 'a\u0000b',
        tags: ['x', '\ud800'],
        n: { deep: '\udfff' },
      }),
    ).toEqual([
      { field: 'body', message: 'must not contain NUL or unpaired surrogate characters' },
      { field: 'tags[1]', message: 'must not contain NUL or unpaired surrogate characters' },
      { field: 'n.deep', message: 'must not contain NUL or unpaired surrogate characters' },
    ]);
    expect(findUnsafeText('x\u0000', 'postId')).toEqual([
      { field: 'postId', message: 'must not contain NUL or unpaired surrogate characters' },
    ]);
    expect(findUnsafeText({ ['k\u0000']: 'v' })[0].field).toBe('body');
  });

  it('refuses null only where the documented schema does not say nullable', () => {
    class Dto {
      @ApiPropertyOptional() title?: string;
      @ApiPropertyOptional({ type: String, nullable: true }) placeId?: string | null;
    }
    expect(findForbiddenNulls({ title: null, placeId: null, unknown: null }, Dto)).toEqual([
      { field: 'title', message: 'must not be null' },
    ]);
    class Child extends Dto {
      @ApiProperty() status!: string;
    }
    expect(findForbiddenNulls({ status: null, title: null }, Child).map((e) => e.field)).toEqual([
      'status',
      'title',
    ]);
  });
});

describe('JSON depth scan', () => {
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  it('counts nesting outside strings only, escapes included', () => {
    expect(exceedsJsonDepth(bytes('[[[]]]'), 3)).toBe(false);
    expect(exceedsJsonDepth(bytes('[[[[]]]]'), 3)).toBe(true);
    expect(exceedsJsonDepth(bytes('{"a":{"b":{"c":1}}}'), 3)).toBe(false);
    expect(exceedsJsonDepth(bytes('["[[[[\\"[[[["]'), 3)).toBe(false);
    expect(exceedsJsonDepth(bytes('{"日本":"[[[[","x":[[[[1]]]]}'), 3)).toBe(true);
  });
});

describe('cursor values PostgreSQL can read', () => {
  const id = '8f14e45f-ceea-467f-a0e6-1e2b3c4d5e6f';
  const decode = (at: unknown) => () =>
    decodeCursor(Buffer.from(JSON.stringify([at, id])).toString('base64url'), [
      'timestamptz',
      'uuid',
    ]);
  it('accepts the timestamps cursors are issued with', () => {
    for (const at of [
      '2026-11-28T12:00:00.123Z',
      '0001-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999999Z',
    ])
      expect(decode(at)()).toEqual([at, id]);
    expect(
      decodeCursor(encodeCursor([new Date(0).toISOString(), id]), ['timestamptz', 'uuid']),
    ).toHaveLength(2);
  });
  it('refuses what Date.parse takes and PostgreSQL does not', () => {
    for (const at of [
      '+275760-09-13T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      'Tue Mar 01 2022',
      '2026-01-01',
      1,
    ])
      expect(decode(at)).toThrow(ProblemException);
  });
  it('refuses NUL in text keys', () => {
    const cursor = Buffer.from(JSON.stringify(['a\u0000'])).toString('base64url');
    expect(() => decodeCursor(cursor, ['text'])).toThrow(ProblemException);
  });
});

describe('database error classification', () => {
  it('treats connection refusals and losses as unavailable, in one place', () => {
    for (const code of ['08006', '08001', '53300', '57P01', '57P03', '55000', '3D000', '28000'])
      expect({ code, unavailable: isDatabaseUnavailable(pgError(code)) }).toEqual({
        code,
        unavailable: true,
      });
    expect(isDatabaseUnavailable(failedQuery('57P01'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    // A transaction whose connection the server cut (test/faults/database-termination).
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    for (const code of ['22P02', '23505', '42703', '40001'])
      expect(isDatabaseUnavailable(failedQuery(code))).toBe(false);
    expect(isDatabaseUnavailable(new Error('anything else'))).toBe(false);
  });

  it('treats class 22 as the client’s bad data', () => {
    expect(isDataException(failedQuery('22P02'))).toBe(true);
    expect(isDataException(pgError('22021'))).toBe(true);
    expect(isDataException(failedQuery('23505'))).toBe(false);
  });

  it('describes a failed query without its parameters, SQL or message', () => {
    const error = failedQuery('23505', {
      constraint: 'users_email_key',
      table: 'users',
      detail: 'Key (email)=(a@b.c) already exists.',
    });
    expect(describeDatabaseError(error)).toEqual({
      type: 'QueryFailedError',
      sqlState: '23505',
      constraint: 'users_email_key',
      table: 'users',
      query: 'INSERT INTO "users"',
    });
    const logged = JSON.stringify(errorForLog(error));
    expect(logged).not.toContain('argon2');
    expect(logged).not.toContain('a@b.c');
    // pino-http hands serializers its own copy with the original under `raw`.
    const copy = { type: 'QueryFailedError', parameters: ['$argon2id$x'] };
    Object.defineProperty(copy, 'raw', { value: error, enumerable: false });
    expect(JSON.stringify(errorForLog(copy))).not.toContain('argon2');
  });
});
