import { PURCHASE_HINT } from './purchase-hint.js';
import { readablePostSql } from './post-visibility.js';
/**
 * The post representation (`PostDto`), built by PostgreSQL for the feed.
 *
 * Why: on the feed, turning 21 rows into entities, dates and objects and then stringifying them
 * cost Node more than everything else on the request put together, while the database sits on
 * another core. So the feed asks PostgreSQL for each item as JSON text and Node only joins the
 * strings. Same keys, same formats as `PostsService.view()` — dates as `toISOString()` writes them,
 * `mentions` and `revisionNote` for the author only — and the feed test compares every item with
 * `GET /api/posts/{postId}` so the two cannot drift apart.
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

/** In `PostDto`'s key order. */
const FIELDS: readonly JsonField[] = [
  { key: 'id', sql: 'p.id' },
  { key: 'referenceId', sql: 'p.reference_id' },
  { key: 'authorId', sql: 'p.author_id' },
  { key: 'title', sql: 'p.title' },
  // A priced post's body only for its author and entitled buyers (PostsService.view).
  { key: 'body', sql: `CASE WHEN ${READABLE} THEN p.body END` },
  { key: 'status', sql: 'p.status' },
  { key: 'placeId', sql: 'p.place_id' },
  { key: 'scheduledAt', sql: isoTimestamp('p.scheduled_at') },
  { key: 'timezone', sql: 'p.timezone' },
  { key: 'audienceTags', sql: 'p.audience_tags' },
  { key: 'hashtags', sql: 'p.hashtags' },
  { key: 'mentions', sql: 'p.mentions', authorOnly: true },
  { key: 'parentPostId', sql: 'p.parent_post_id' },
  { key: 'requiresReplyApproval', sql: 'p.requires_reply_approval' },
  { key: 'replyState', sql: 'p.reply_state' },
  { key: 'revisionNote', sql: 'p.revision_note', authorOnly: true },
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
 * One post as JSON text, seen by the viewer bound as `$1`, over alias `p`. Top-level posts only:
 * for replies `revisionNote` would also be shown to the parent's author.
 */
export const POST_JSON_FOR_VIEWER = `(CASE WHEN p.author_id = $1
  THEN ${objectOf(FIELDS, 'mine')}
  ELSE ${objectOf(
    FIELDS.filter((f) => !f.authorOnly),
    'theirs',
  )} END)::text`;
