import { memberHoldsAnyTagSql } from '../../account/index.js';
import type { PostStatus, PricingModel, ReplyState } from './post.entity.js';

/**
 * Who may see a post. The one place the rule lives, written three ways side by side so a change
 * (paid entitlements, say) is made to all of them at once, and post-visibility.spec.ts holds the
 * SQL and TypeScript forms to the same answers:
 *
 * - its author always;
 * - anyone else only a PUBLISHED post, and one with audience tags only when the viewer is a
 *   member of the post's author holding at least one of those tags (Account owns memberships:
 *   its memberHoldsAnyTagSql for SQL, the tags it hands back for TypeScript; both read the
 *   membership afresh, so a removed tag or membership hides the post at once);
 * - and, for a reply, only one whose parent post the viewer may see (so a members-only post's
 *   replies are members-only too) and read (a priced parent's replies are for its author and
 *   entitled buyers: they are part of what was bought), and then only an accepted one, or any
 *   reply to a post the viewer wrote (the parent's author moderates its replies).
 *
 * Seeing a post is not reading it: a priced post is seen by everyone the rule lets in, but its
 * body, artifact and replies are read only by its author and by users holding a current
 * entitlement (post_entitlements, written by Billing from verified Stripe events); the others get
 * its title, price and a purchase hint (readablePostSql / isPostReadable, PostsService.view).
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

/** What the rule reads off a reply's parent, with the viewer's tags as a member of its author. */
export interface ParentVisibilityFacts {
  authorId: string;
  status: PostStatus;
  audienceTags: readonly string[];
  viewerTags?: readonly string[];
  /** Priced parents' replies need an entitlement (absent = unpriced). */
  pricingModel?: PricingModel | null;
  /** Whether the viewer holds a current entitlement to the parent (read only when it is priced). */
  viewerEntitled?: boolean;
}

/** A current entitlement of the viewer to the post aliased `post`. */
function entitledSql(post: string, viewer: string): string {
  return `EXISTS (SELECT 1 FROM post_entitlements entitlement WHERE entitlement.post_id = ${post}.id
    AND entitlement.user_id = ${viewer} AND (entitlement.until IS NULL OR entitlement.until > now()))`;
}

/**
 * Whether the viewer may read the post's priced content (body, artifact, replies): unpriced, or
 * theirs, or they hold a current entitlement. Only meaningful for a post they may see.
 */
export function readablePostSql(post: string, viewer: string): string {
  return `(${post}.pricing_model IS NULL OR ${post}.author_id = ${viewer} OR ${entitledSql(post, viewer)})`;
}

/** The same in TypeScript; `entitled` is read only for a priced post of someone else. */
export function isPostReadable(
  post: { authorId: string; pricingModel?: PricingModel | null },
  viewerId: string,
  entitled: boolean,
): boolean {
  return !post.pricingModel || post.authorId === viewerId || entitled;
}

/** The audience part in SQL: no audience tags, or the viewer holds one of them as a member. */
function audienceSql(post: string, viewer: string): string {
  return `(cardinality(${post}.audience_tags) = 0 OR ${memberHoldsAnyTagSql(`${post}.author_id`, viewer, `${post}.audience_tags`)})`;
}

/**
 * The rule as a SQL condition over the `posts` row aliased `post`; `viewer` is the placeholder
 * (or expression) for the viewer's user id, e.g. `:viewer` for TypeORM or `$1` for raw SQL.
 */
export function visiblePostSql(post: string, viewer: string): string {
  return `(${post}.author_id = ${viewer} OR (${post}.status = 'PUBLISHED' AND ${audienceSql(post, viewer)}
  AND (${post}.parent_post_id IS NULL OR EXISTS (SELECT 1 FROM posts parent
       WHERE parent.id = ${post}.parent_post_id AND (parent.author_id = ${viewer}
         OR (parent.status = 'PUBLISHED' AND ${audienceSql('parent', viewer)} AND ${readablePostSql('parent', viewer)}
             AND ${post}.reply_state = 'accepted'))))))`;
}

/**
 * Whether a post's audience tags would need the viewer's membership tags to decide: callers
 * load `viewerTags` (MembershipsService.tagsHeldBy) only then.
 */
export function needsViewerTags(post: PostVisibilityFacts, viewerId: string): boolean {
  return post.authorId !== viewerId && post.status === 'PUBLISHED' && post.audienceTags.length > 0;
}

/**
 * The rule in TypeScript, for a post already loaded; `parent` is needed for replies (without it a
 * reply counts as unseen), and `viewerTags` (the tags the viewer holds as a member of the post's
 * author, none when not a member) for a post with audience tags.
 */
export function isPostVisible(
  post: PostVisibilityFacts,
  viewerId: string,
  parent?: ParentVisibilityFacts,
  viewerTags: readonly string[] = [],
): boolean {
  if (post.authorId === viewerId) return true;
  if (post.status !== 'PUBLISHED' || !holdsAudience(post.audienceTags, viewerTags)) return false;
  if (post.parentPostId === null) return true;
  if (!parent) return false;
  if (parent.authorId === viewerId) return true;
  return (
    parent.status === 'PUBLISHED' &&
    holdsAudience(parent.audienceTags, parent.viewerTags ?? []) &&
    isPostReadable(parent, viewerId, parent.viewerEntitled ?? false) &&
    post.replyState === 'accepted'
  );
}

function holdsAudience(audienceTags: readonly string[], viewerTags: readonly string[]): boolean {
  return audienceTags.length === 0 || audienceTags.some((tag) => viewerTags.includes(tag));
}

/**
 * The feed's reduced form, for top-level posts only (the feed also requires
 * `parent_post_id IS NULL`, so the reply clause is always true and is dropped). The status part
 * is left to the feed's own status filter, which is at least as strict: it lists PUBLISHED posts
 * (where the full rule is exactly this condition), or the viewer's own DRAFTs (which the author
 * always sees). Keeping the status out keeps the condition the same for both feed shapes.
 */
export function feedVisibilitySql(post: string, viewer: string): string {
  return `(${post}.author_id = ${viewer} OR ${audienceSql(post, viewer)})`;
}
