import { decodeCursor, DEFAULT_PAGE_SIZE } from '../../../common/index.js';
import { feedItemJsonSql, isoTimestamp } from './post-json.sql.js';
import { feedVisibilitySql, readablePostSql } from './post-visibility.js';
import type { FeedQueryDto } from './posts.dto.js';

/**
 * The whole page in one row: the items' JSON joined with commas (null for an empty page), and
 * the keyset position of the page's last item when another page follows (else nulls).
 */
export interface FeedPageRow {
  items: string | null;
  cursorAt: string | null;
  id: string | null;
}

export interface FeedStatement {
  text: string;
  values: unknown[];
  /**
   * Worth a named prepared statement: the plain feed shapes (sort, status, time, cursor, with or
   * without bodies) at the default page size, a few dozen texts at most. Everything else runs
   * unnamed: each prepared plan holds ~170 KB in every backend for the connection's life (so the
   * set of prepared texts must stay small), and a one-off plan also sees the actual filter values.
   */
  prepare: boolean;
  /** The page size; the statement fetches one more row to learn whether a next page exists. */
  limit: number;
}

/**
 * The feed's SQL for one viewer and query. Values are always bound, never embedded, so the few
 * distinct texts can be prepared once per connection. A pure function, so `npm run bench:feed`
 * explains exactly the statement the app runs.
 *
 * The feed holds top-level posts only, so visibility reduces to "yours, or without audience
 * tags, or you hold one of them as a member of the author" (feedVisibilitySql in
 * post-visibility.ts says why that equals the full rule here); the membership part is an EXISTS
 * on the memberships primary key, probed only for posts that have audience tags.
 */
export function feedStatement(
  viewerId: string,
  query: FeedQueryDto,
  /** A pinned token's posts (token-resources.ts): the feed holds only those. */
  pinnedPosts: readonly string[] | null = null,
): FeedStatement {
  const sort = query.sort ?? 'recent';
  const values: unknown[] = [viewerId];
  const bind = (value: unknown) => `$${values.push(value)}`;
  const where = ['p.parent_post_id IS NULL', feedVisibilitySql('p', '$1')];
  // Published posts; ?status=DRAFT lists the caller's own drafts instead.
  where.push(
    query.status === 'DRAFT' ? `p.status = 'DRAFT' AND p.author_id = $1` : `p.status = 'PUBLISHED'`,
  );
  if (query.author) where.push(`p.author_id = ${bind(query.author)}`);
  // @> (not = ANY) so the GIN index on hashtags can serve rare tags.
  if (query.hashtag) where.push(`p.hashtags @> ARRAY[${bind(query.hashtag)}::text]`);
  if (query.placeId) where.push(`p.place_id = ${bind(query.placeId)}`);
  if (pinnedPosts) where.push(`p.id = ANY(${bind(pinnedPosts)}::uuid[])`);
  const time = query.time ?? (sort === 'upcoming' ? 'upcoming' : 'all');
  if (time === 'upcoming') where.push('p.scheduled_at >= now()');
  if (time === 'past') where.push('p.scheduled_at < now()');
  if (sort === 'upcoming') where.push('p.scheduled_at IS NOT NULL');
  if (query.q) {
    const search = `websearch_to_tsquery('english', ${bind(query.q)})`;
    where.push(`p.search_vector @@ ${search}`);
    // search_vector holds the body too: a priced post the viewer may not read matches on its
    // title only, so a search cannot probe what was not bought.
    where.push(
      `(${readablePostSql('p', '$1')} OR to_tsvector('pg_catalog.english', p.title) @@ ${search})`,
    );
  }
  const [key, direction, op] =
    sort === 'upcoming'
      ? (['p.scheduled_at', 'ASC', '>'] as const)
      : (['p.created_at', 'DESC', '<'] as const);
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor, ['timestamptz', 'uuid']);
    where.push(`(${key}, p.id) ${op} (${bind(at)}::timestamptz, ${bind(id)}::uuid)`);
  }
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError('limit must be a positive integer');
  const conditions = where.join(' AND ');
  const order = `${key} ${direction}, p.id ${direction} LIMIT ${limit + 1}`;
  const withBody = query.include === 'body';
  return {
    // The row count is written into the text, not bound: with LIMIT $n PostgreSQL cannot cost
    // a generic plan, so it re-plans the (large) statement on every execution.
    //
    // One row per page, not per post: the limit + 1 rows are numbered in feed order and
    // aggregated, so the items arrive as one JSON text, ready to send, with the next page's
    // position beside them (present only when the extra row exists). Parsing one row instead of
    // twenty-one is a measurable share of a feed request in Node.
    text: internedText(
      `${conditions}\n${order}\n${withBody}`,
      () => `SELECT string_agg(item, ',' ORDER BY n) FILTER (WHERE n <= ${limit}) AS items,
              CASE WHEN count(*) > ${limit} THEN max("cursorAt") FILTER (WHERE n = ${limit}) END AS "cursorAt",
              CASE WHEN count(*) > ${limit} THEN max(id::text) FILTER (WHERE n = ${limit}) END AS id
         FROM (SELECT page.*, row_number() OVER (ORDER BY k ${direction}, id ${direction}) AS n
                 FROM (SELECT ${feedItemJsonSql(withBody)} AS item, ${isoTimestamp(key)} AS "cursorAt",
                              p.id, ${key} AS k
                         FROM posts p WHERE ${conditions}
                        ORDER BY ${order}) page) numbered`,
    ),
    values,
    limit,
    // Prepared: the plain shapes at the default page size, with or without bodies, a few dozen
    // texts at most.
    prepare:
      limit === DEFAULT_PAGE_SIZE &&
      !query.author &&
      !query.hashtag &&
      !query.placeId &&
      !query.q &&
      !pinnedPosts,
  };
}

/**
 * The same string object for the same statement. The text is several kilobytes (the post's JSON
 * is built in SQL): a freshly concatenated copy on every request would be flattened and hashed
 * in full wherever it is looked up (the prepared statement's name), a measurable share of a feed
 * request. Keyed by what varies (conditions and order), which is short.
 */
const texts = new Map<string, string>();
const MAX_TEXTS = 1000;
function internedText(shape: string, build: () => string): string {
  let text = texts.get(shape);
  if (text === undefined) {
    if (texts.size >= MAX_TEXTS) texts.clear();
    texts.set(shape, (text = build()));
  }
  return text;
}
