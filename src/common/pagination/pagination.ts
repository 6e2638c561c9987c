import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { type ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ProblemException } from '../problems/index.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` for every list. Extend it with a list's own filters. */
export class PageQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    example: 20,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({
    description: "Opaque cursor from the previous page's nextCursor.",
    example: 'WyIyMDI2LTExLTI4VDAwOjAwOjAwLjAwMFoiLCI4ZjE0Il0',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type CursorValue = string | number;

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, kinds: KeysetKind[]): CursorValue[] {
  const invalid = () =>
    ProblemException.validation([{ field: 'cursor', message: 'is not a cursor this list issued' }]);
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== kinds.length ||
    !parsed.every(
      (v, i) => (typeof v === 'string' || typeof v === 'number') && fitsKind(v, kinds[i]),
    )
  ) {
    throw invalid();
  }
  return parsed as CursorValue[];
}

export interface KeysetColumn<E> {
  /** SQL expression for the column, e.g. `post.created_at`. */
  expression: string;
  /** Reads the cursor value off an entity. */
  value: (entity: E) => CursorValue;
  /** The column's type: the cursor value is checked against it and cast to it in SQL. */
  kind: KeysetKind;
}

export type KeysetKind = 'timestamptz' | 'uuid' | 'text' | 'bigint';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one timestamp form cursors are issued in (UTC, ISO 8601, up to microseconds). JavaScript's
 * Date.parse is far laxer than PostgreSQL (`+275760-09-13`, year 0000, `Tue Mar 01 2022`, day
 * overflow like Feb 30), so a forged cursor could pass it and fail the cast in SQL.
 */
const CURSOR_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?Z$/;

/** Within PostgreSQL's timestamptz range (years 1–9999 here) and a real calendar instant. */
function isCursorTimestamp(value: string): boolean {
  const m = CURSOR_TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** Text PostgreSQL can store and that is text: no NUL, no unpaired surrogate. */
const UNSAFE_TEXT = /[\0\p{Cs}]/u;

/** A cursor value of the wrong shape would become a SQL cast error (a 500); refuse it here. */
function fitsKind(value: CursorValue, kind: KeysetKind): boolean {
  switch (kind) {
    case 'timestamptz':
      return typeof value === 'string' && isCursorTimestamp(value);
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'text':
      return typeof value === 'string' && value.length <= 1000 && !UNSAFE_TEXT.test(value);
    case 'bigint':
      return typeof value === 'number' && Number.isSafeInteger(value);
  }
}

/**
 * Keyset (cursor) pagination on a strictly ordered key, last column unique (usually the id).
 * Rows inserted while a client scrolls cannot shift later pages: each page starts strictly after
 * the last key seen, so there are no duplicates and no skips.
 */
export async function paginate<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  options: {
    columns: KeysetColumn<E>[];
    direction: 'ASC' | 'DESC';
    limit?: number;
    cursor?: string;
  },
): Promise<Page<E>> {
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  const { columns, direction } = options;
  if (options.cursor !== undefined) {
    const values = decodeCursor(
      options.cursor,
      columns.map((c) => c.kind),
    );
    const op = direction === 'DESC' ? '<' : '>';
    const left = columns.map((c) => c.expression).join(', ');
    const right = columns.map((c, i) => `CAST(:cursor${i} AS ${c.kind})`).join(', ');
    const params = Object.fromEntries(values.map((v, i) => [`cursor${i}`, v]));
    qb.andWhere(`(${left}) ${op} (${right})`, params);
  }
  columns.forEach((c, i) =>
    i === 0 ? qb.orderBy(c.expression, direction) : qb.addOrderBy(c.expression, direction),
  );
  const rows = await qb.limit(limit + 1).getMany();
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor(columns.map((c) => c.value(last))) : null;
  return { items, nextCursor };
}

/** The usual list order key: creation time, then id (unique) to break ties. */
export function byCreation<E extends { createdAt: Date; id: string }>(
  alias: string,
): KeysetColumn<E>[] {
  return [
    {
      expression: `${alias}.created_at`,
      kind: 'timestamptz',
      value: (e) => e.createdAt.toISOString(),
    },
    { expression: `${alias}.id`, kind: 'uuid', value: (e) => e.id },
  ];
}

/** The page a client asked for (`?limit=&cursor=`). */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/**
 * A list in creation order (newest first unless `oldest` is asked for), keyset paginated on
 * (created_at, id) of the query's main alias, each row mapped to its view. The usual shape of a
 * list endpoint: build the filtered query, hand it here with the row → DTO mapping.
 */
export async function pageByCreation<E extends { createdAt: Date; id: string }, T>(
  qb: SelectQueryBuilder<E>,
  request: PageRequest,
  view: (row: E) => T,
  order: 'newest' | 'oldest' = 'newest',
): Promise<Page<T>> {
  const page = await paginate(qb, {
    columns: byCreation<E>(qb.alias),
    direction: order === 'newest' ? 'DESC' : 'ASC',
    limit: request.limit,
    cursor: request.cursor,
  });
  return mapPage(page, view);
}

/** A page of rows as a page of views. */
export function mapPage<E, T>(page: Page<E>, view: (row: E) => T): Page<T> {
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}
