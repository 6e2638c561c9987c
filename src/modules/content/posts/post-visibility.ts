import type { PostStatus, ReplyState } from './post.entity.js';

/**
 * Who may see a post. The one place the rule lives, written three ways side by side so a change
 * (memberships resolving audience tags, paid entitlements) is made to all of them at once, and
 * post-visibility.spec.ts holds the SQL and TypeScript forms to the same answers:
 *
 * - its author always;
 * - anyone else only a PUBLISHED post with no audience tags (audience tags limit a post to its
 *   author until memberships can resolve them);
 * - and, for a reply, only an accepted one, or any reply to a post the viewer wrote (the parent's
 *   author moderates its replies).
 *
 * To extend the rule, add what it reads to PostVisibilityFacts (and, when it concerns the viewer,
 * to the viewer argument), then change visiblePostSql, isPostVisible and, if top-level posts are
 * affected, feedVisibilitySql, together with the spec's case matrix.
 */

/** What the rule reads off a post. */
export interface PostVisibilityFacts {
  authorId: string;
  status: PostStatus;
  audienceTags: readonly string[];
  parentPostId: string | null;
  replyState: ReplyState | null;
}

/**
 * The rule as a SQL condition over the `posts` row aliased `post`; `viewer` is the placeholder
 * (or expression) for the viewer's user id, e.g. `:viewer` for TypeORM or `$1` for raw SQL.
 */
export function visiblePostSql(post: string, viewer: string): string {
  return `(${post}.author_id = ${viewer} OR (${post}.status = 'PUBLISHED' AND cardinality(${post}.audience_tags) = 0
  AND (${post}.parent_post_id IS NULL OR ${post}.reply_state = 'accepted'
       OR EXISTS (SELECT 1 FROM posts parent WHERE parent.id = ${post}.parent_post_id AND parent.author_id = ${viewer}))))`;
}

/** The rule in TypeScript, for a post already loaded; `parentAuthorId` is needed for replies. */
export function isPostVisible(
  post: PostVisibilityFacts,
  viewerId: string,
  parentAuthorId?: string,
): boolean {
  if (post.authorId === viewerId) return true;
  if (post.status !== 'PUBLISHED' || post.audienceTags.length > 0) return false;
  return (
    post.parentPostId === null || post.replyState === 'accepted' || parentAuthorId === viewerId
  );
}

/**
 * The feed's reduced form, for top-level posts only (the feed also requires
 * `parent_post_id IS NULL`, so the reply clause is always true and is dropped). The status part
 * is left to the feed's own status filter, which is at least as strict: it lists PUBLISHED posts
 * (where the full rule is exactly this condition), or the viewer's own DRAFTs (which the author
 * always sees). Keeping the status out keeps the condition the same for both feed shapes.
 */
export function feedVisibilitySql(post: string, viewer: string): string {
  return `(${post}.author_id = ${viewer} OR cardinality(${post}.audience_tags) = 0)`;
}
