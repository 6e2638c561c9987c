import { FEED_EXCERPT_LENGTH } from './posts.dto.js';
import { PURCHASE_HINT } from './purchase-hint.js';
import { readablePostSql } from './post-visibility.js';
/**
 * A feed item (`PostFeedItemDto`), built by PostgreSQL.
 *
 * Why: on the feed, turning 21 rows into entities, dates and objects and then stringifying them
 * cost Node more than everything else on the request put together, while the database sits on
 * another core. So the feed asks PostgreSQL for each item as JSON text and Node only joins the
 * strings. Same keys, same formats as `PostsService.view()` — dates as `toISOString()` writes them,
 * `mentions` for the author only — and the feed test compares every item with
 * `GET /api/posts/{postId}` so the two cannot drift apart.
 *
 * An item carries an excerpt of the body, not the body (unless the client asks for it): the
 * bytes of a page are a large share of what a feed request costs, in PostgreSQL, in Node and on
 * the wire, and a list needs only the start of each post (README, "The feed").
 */

/** Whether the viewer `$1` may read the priced content of post `p` (see post-visibility.ts). */
const READABLE = readablePostSql('p', '$1');

/** A timestamptz as `toISOString()` writes it (UTC, milliseconds, `Z`); NULL stays NULL. */
export function isoTimestamp(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

interface JsonField {
  /** The SQL expression over alias `p`. */
  readonly sql: string;
  readonly key: string;
  /** Shown to the post's author only. */
  readonly authorOnly?: boolean;
}

/** A constant as a SQL string literal (constants of our own, never user input). */
function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The body, with the rule `PostsService.view` applies to it. */
const BODY: JsonField = {
  key: 'body',
  // A priced post's body only for its author and entitled buyers (PostsService.view).
  sql: `CASE WHEN ${READABLE} THEN p.body END`,
};

/**
 * In `PostDto`'s key order, with the excerpt where the body would be, and without the fields
 * only a reply has (`parentPostId`, `replyState`, `revisionNote`): the feed holds top-level posts
 * only. The excerpt follows the body's rule (null when the body would be); left() counts
 * characters, so a multi-byte character is never cut.
 */
const FIELDS: readonly JsonField[] = [
  { key: 'id', sql: 'p.id' },
  { key: 'referenceId', sql: 'p.reference_id' },
  { key: 'authorId', sql: 'p.author_id' },
  { key: 'title', sql: 'p.title' },
  BODY,
  { key: 'excerpt', sql: `CASE WHEN ${READABLE} THEN left(p.body, ${FEED_EXCERPT_LENGTH}) END` },
  {
    key: 'bodyTruncated',
    sql: `(${READABLE} AND char_length(p.body) > ${FEED_EXCERPT_LENGTH})`,
  },
  { key: 'status', sql: 'p.status' },
  { key: 'placeId', sql: 'p.place_id' },
  { key: 'scheduledAt', sql: isoTimestamp('p.scheduled_at') },
  { key: 'timezone', sql: 'p.timezone' },
  { key: 'audienceTags', sql: 'p.audience_tags' },
  { key: 'hashtags', sql: 'p.hashtags' },
  { key: 'mentions', sql: 'p.mentions', authorOnly: true },
  { key: 'requiresReplyApproval', sql: 'p.requires_reply_approval' },
  {
    key: 'pricing',
    sql: `CASE WHEN p.pricing_model IS NOT NULL THEN (SELECT row_to_json(price) FROM (SELECT
            p.pricing_model AS model, p.price_amount AS amount, p.price_currency AS currency,
            true AS locked) price) END`,
  },
  {
    key: 'purchase',
    sql: `CASE WHEN NOT ${READABLE} THEN (SELECT row_to_json(hint) FROM (SELECT
            ${sqlText(PURCHASE_HINT.endpoint)} AS endpoint, ${sqlText(PURCHASE_HINT.method)} AS method,
            ${sqlText(PURCHASE_HINT.path)} AS path) hint) END`,
  },
  { key: 'publishedAt', sql: isoTimestamp('p.published_at') },
  { key: 'createdAt', sql: isoTimestamp('p.created_at') },
  { key: 'updatedAt', sql: isoTimestamp('p.updated_at') },
];

function objectOf(fields: readonly JsonField[], alias: string): string {
  const columns = fields.map((f) => `${f.sql} AS "${f.key}"`).join(', ');
  // row_to_json over a one-row subselect keeps the aliases as keys and writes compact JSON
  // (json_build_object would pad every separator with spaces).
  return `(SELECT row_to_json(${alias}) FROM (SELECT ${columns}) ${alias})`;
}

/**
 * One feed item as JSON text, seen by the viewer bound as `$1`, over alias `p`; with the whole
 * body too when `withBody` (`?include=body`). Top-level posts only (see FIELDS).
 */
export function feedItemJsonSql(withBody: boolean): string {
  const fields = withBody ? FIELDS : FIELDS.filter((f) => f !== BODY);
  return `(CASE WHEN p.author_id = $1
  THEN ${objectOf(fields, 'mine')}
  ELSE ${objectOf(
    fields.filter((f) => !f.authorOnly),
    'theirs',
  )} END)::text`;
}
