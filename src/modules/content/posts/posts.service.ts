import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import {
  encodeCursor,
  isUniqueViolation,
  type Page,
  pageByCreation,
  ProblemException,
} from '../../../common/index.js';
import { randomBase62 } from '../../../common/base62.js';
import { MembershipsService } from '../../account/index.js';
import { DomainEvents } from '../../../events/index.js';
import { CONTENT_EVENT_TYPES } from '../content.events.js';
import { preparedQuery } from '../../../database/prepared-query.js';
import { type FeedPageRow, feedStatement } from './feed-statement.js';
import { TokenResources } from '../../../access/token-resources.js';
import { PlaceEntity } from '../places/place.entity.js';
import type {
  CreatePostDto,
  FeedQueryDto,
  PostDto,
  SetPricingDto,
  UpdatePostDto,
} from './posts.dto.js';
import { PostEntity } from './post.entity.js';
import {
  isPostReadable,
  isPostVisible,
  needsViewerTags,
  visiblePostSql,
} from './post-visibility.js';
import { PostEntitlements } from '../entitlements/post-entitlements.service.js';
import { PURCHASE_HINT } from './purchase-hint.js';

/** What Billing needs to sell a post to a viewer (PostsService.purchaseFacts). */
export interface PurchasableFacts {
  postId: string;
  authorId: string;
  title: string;
  status: string;
  pricing: { model: 'one_time' | 'subscription'; amount: number; currency: string } | null;
  /** The viewer already reads it: their own post, or a current entitlement. */
  readable: boolean;
}

/** A viewer who may see a priced post but not read it: what it costs is in the post. */
export function purchaseRequired(): ProblemException {
  return new ProblemException({
    code: 'purchase_required',
    detail:
      'This post is priced: its body, artifact and replies are for its author and buyers. Buy it with POST /api/billing/checkout-links.',
  });
}

/** Short, stable id for share links: 10 base62 characters (62^10 ≈ 8·10^17). */
const referenceId = () => randomBase62(10);

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A reply reaches the audience of the post it answers; its own tags would only narrow that. */
function replyAudienceRefused(): ProblemException {
  return ProblemException.validation([
    {
      field: 'audienceTags',
      message: 'a reply reaches the audience of the post it answers and takes no audience tags',
    },
  ]);
}

/** Who may see a post (see post-visibility.ts), over alias `p` with the viewer bound as `:viewer`. */
const VISIBLE = visiblePostSql('p', ':viewer');

/** See PostsService.onDelete. */
export type PostDeletionHook = (
  tx: EntityManager,
  postIds: string[],
) => Promise<() => Promise<void>>;

/**
 * Whether a reply by `authorId` to `parent` must be reviewed before it is public: the parent asks
 * for approval and someone other than its author wrote the reply.
 */
function replyNeedsReview(
  parent: Pick<PostEntity, 'requiresReplyApproval' | 'authorId'>,
  authorId: string,
) {
  return parent.requiresReplyApproval && parent.authorId !== authorId;
}

/** An event's view of a post: ids and metadata, never the body. */
function postEventData(post: PostEntity): Record<string, unknown> {
  return {
    postId: post.id,
    referenceId: post.referenceId,
    authorId: post.authorId,
    title: post.title,
    status: post.status,
    publishedAt: post.publishedAt ? new Date(post.publishedAt).toISOString() : null,
  };
}

function replyEventData(
  reply: PostEntity,
  parent: Pick<PostEntity, 'id' | 'authorId'>,
): Record<string, unknown> {
  return {
    replyId: reply.id,
    postId: parent.id,
    authorId: reply.authorId,
    postAuthorId: parent.authorId,
    replyState: reply.replyState,
  };
}

@Injectable()
export class PostsService {
  private readonly deletionHooks: PostDeletionHook[] = [];

  constructor(
    @InjectRepository(PostEntity) private readonly posts: Repository<PostEntity>,
    @InjectRepository(PlaceEntity) private readonly places: Repository<PlaceEntity>,
    private readonly memberships: MembershipsService,
    private readonly events: DomainEvents,
    private readonly entitlements: PostEntitlements,
  ) {}

  async create(authorId: string, input: CreatePostDto): Promise<PostDto> {
    // A reply hangs off its parent, so a token pinned to the parent may reply (visibleEntity
    // below checks the pin); a new top-level post is outside any pin.
    if (!input.parentPostId) TokenResources.assertUnpinned('create new posts');
    await this.checkPlaceAndSchedule(input);
    let parent: PostEntity | null = null;
    if (input.parentPostId) {
      parent = await this.visibleEntity(input.parentPostId, authorId);
      if (parent.parentPostId)
        throw ProblemException.validation([
          { field: 'parentPostId', message: 'must be a top-level post; replies nest one level' },
        ]);
      if (parent.status !== 'PUBLISHED')
        throw ProblemException.validation([
          { field: 'parentPostId', message: 'must be a published post' },
        ]);
      if (input.audienceTags?.length) throw replyAudienceRefused();
      if (!(await this.isReadable(parent, authorId))) throw purchaseRequired();
    }
    const replyState = parent
      ? replyNeedsReview(parent, authorId)
        ? 'awaiting_review'
        : 'accepted'
      : null;
    for (let attempt = 0; ; attempt++) {
      try {
        const saved = await this.posts.manager.transaction(async (tx) => {
          const row = await tx.save(
            tx.create(PostEntity, {
              referenceId: referenceId(),
              authorId,
              title: input.title,
              body: input.body,
              status: input.status,
              placeId: input.placeId ?? null,
              scheduledAt: input.scheduledAt ? new Date(input.scheduledAt) : null,
              timezone: input.timezone ?? null,
              audienceTags: input.audienceTags ?? [],
              hashtags: input.hashtags ?? [],
              mentions: input.mentions ?? [],
              parentPostId: parent?.id ?? null,
              requiresReplyApproval: input.requiresReplyApproval ?? false,
              replyState,
              publishedAt: input.status === 'PUBLISHED' ? new Date() : null,
            }),
          );
          if (row.status === 'PUBLISHED') await this.recordPublished(tx, row, parent);
          return row;
        });
        return this.view(saved, authorId, parent?.authorId);
      } catch (error) {
        // A reference id collision (1 in 62^10) gets a fresh id; anything else is real.
        if (!isUniqueViolation(error) || attempt >= 2) throw error;
      }
    }
  }

  async get(postId: string, viewerId: string): Promise<PostDto> {
    const post = await this.visibleEntity(postId, viewerId);
    return this.view(
      post,
      viewerId,
      await this.parentAuthor(post),
      await this.isReadable(post, viewerId),
    );
  }

  /**
   * The post as Billing sells it to the viewer: 404 when they may not see it (a draft, a
   * members-only post), so a checkout cannot reveal what the feed hides.
   */
  async purchaseFacts(postId: string, viewerId: string): Promise<PurchasableFacts> {
    const post = await this.visibleEntity(postId, viewerId);
    return {
      postId: post.id,
      authorId: post.authorId,
      title: post.title,
      status: post.status,
      pricing: post.pricingModel
        ? { model: post.pricingModel, amount: post.priceAmount!, currency: post.priceCurrency! }
        : null,
      readable: await this.isReadable(post, viewerId),
    };
  }

  /** The post if the viewer may see and read it: 404 when unseen, 403 purchase_required when priced. */
  async readableEntity(postId: string, viewerId: string): Promise<PostEntity> {
    const post = await this.visibleEntity(postId, viewerId);
    if (!(await this.isReadable(post, viewerId))) throw purchaseRequired();
    return post;
  }

  /** Unpriced, the viewer's own, or a current entitlement (post-visibility.ts). */
  private async isReadable(
    post: Pick<PostEntity, 'id' | 'authorId' | 'pricingModel'>,
    viewerId: string,
  ): Promise<boolean> {
    if (isPostReadable(post, viewerId, false)) return true;
    return this.entitlements.isEntitled(post.id, viewerId);
  }

  async update(postId: string, viewerId: string, input: UpdatePostDto): Promise<PostDto> {
    const post = await this.ownEntity(postId, viewerId);
    await this.checkPlaceAndSchedule({
      placeId: input.placeId,
      scheduledAt:
        input.scheduledAt === undefined ? post.scheduledAt?.toISOString() : input.scheduledAt,
      timezone: input.timezone === undefined ? post.timezone : input.timezone,
    });
    const changes: Partial<PostEntity> = {};
    if (input.title !== undefined) changes.title = input.title;
    if (input.body !== undefined) changes.body = input.body;
    if (input.status !== undefined) {
      changes.status = input.status;
      if (input.status === 'PUBLISHED' && !post.publishedAt) changes.publishedAt = new Date();
    }
    if (input.placeId !== undefined) changes.placeId = input.placeId;
    if (input.scheduledAt !== undefined)
      changes.scheduledAt = input.scheduledAt ? new Date(input.scheduledAt) : null;
    if (input.timezone !== undefined) changes.timezone = input.timezone;
    if (input.audienceTags?.length && post.parentPostId) throw replyAudienceRefused();
    if (input.audienceTags !== undefined) changes.audienceTags = input.audienceTags;
    if (input.hashtags !== undefined) changes.hashtags = input.hashtags;
    if (input.mentions !== undefined) changes.mentions = input.mentions;
    if (input.requiresReplyApproval !== undefined)
      changes.requiresReplyApproval = input.requiresReplyApproval;
    if (await this.editNeedsReview(post, changes)) {
      changes.replyState = 'awaiting_review';
      changes.revisionNote = null;
    }
    await this.posts.manager.transaction(async (tx) => {
      await tx.update(PostEntity, post.id, changes);
      await this.recordUpdate(tx, post, changes);
    });
    return this.get(post.id, viewerId);
  }

  /** `post.published`, or `reply.submitted` for a reply (to its author and the post's author). */
  private async recordPublished(
    tx: EntityManager,
    post: PostEntity,
    parent: Pick<PostEntity, 'id' | 'authorId'> | null,
  ): Promise<void> {
    if (parent) {
      await this.events.record(
        tx,
        CONTENT_EVENT_TYPES.replySubmitted,
        replyEventData(post, parent),
        {
          recipients: [post.authorId, parent.authorId],
        },
      );
      return;
    }
    await this.events.record(tx, CONTENT_EVENT_TYPES.postPublished, postEventData(post), {
      recipients: [post.authorId],
    });
  }

  /**
   * What an edit tells: a first publication (`post.published` / `reply.submitted`), a reply
   * revised and back in review (`reply.submitted` again, for the moderator), or for a top-level
   * post any other change (`post.updated`, naming the fields).
   */
  private async recordUpdate(
    tx: EntityManager,
    before: PostEntity,
    changes: Partial<PostEntity>,
  ): Promise<void> {
    const after = { ...before, ...changes };
    const parent = before.parentPostId
      ? await tx.findOne(PostEntity, {
          where: { id: before.parentPostId },
          select: { id: true, authorId: true },
        })
      : null;
    const published = after.status === 'PUBLISHED';
    const firstPublished = published && before.status !== 'PUBLISHED';
    if (firstPublished) return this.recordPublished(tx, after, parent);
    if (parent) {
      const resubmitted =
        published &&
        before.replyState === 'needs_revision' &&
        after.replyState === 'awaiting_review';
      if (resubmitted) await this.recordPublished(tx, after, parent);
      return;
    }
    const changed = (Object.keys(changes) as (keyof PostEntity)[]).filter(
      (key) => JSON.stringify(changes[key]) !== JSON.stringify(before[key]),
    );
    if (changed.length)
      await this.events.record(
        tx,
        CONTENT_EVENT_TYPES.postUpdated,
        { ...postEventData(after), changed: changed.sort() },
        { recipients: [before.authorId] },
      );
  }

  /**
   * Called inside a deletion's transaction with the ids of the posts it removes, so a
   * collaborator can read what its rows point to before they cascade away; the returned work
   * runs once the deletion has committed (artifacts remove their stored bytes this way).
   */
  onDelete(hook: PostDeletionHook): void {
    this.deletionHooks.push(hook);
  }

  /** Permanent. Replies go with the post (ON DELETE CASCADE): a thread without its post is orphaned. */
  async delete(postId: string, viewerId: string): Promise<void> {
    const post = await this.ownEntity(postId, viewerId);
    const afterCommit = await this.posts.manager.transaction(async (tx) => {
      // Locked, so work that serialises on the post (an artifact commit) finishes before or
      // after the deletion, never across it.
      const rows: { id: string }[] = await tx.query(
        'SELECT id FROM posts WHERE id = $1 OR parent_post_id = $1 FOR UPDATE',
        [post.id],
      );
      if (!rows.some((r) => r.id === post.id)) throw ProblemException.notFound('No such post.');
      const ids = rows.map((r) => r.id);
      const work = [];
      for (const hook of this.deletionHooks) work.push(await hook(tx, ids));
      await tx.delete(PostEntity, post.id);
      await this.events.record(
        tx,
        CONTENT_EVENT_TYPES.postDeleted,
        { postId: post.id, referenceId: post.referenceId, authorId: post.authorId },
        { recipients: [post.authorId] },
      );
      return work;
    });
    for (const run of afterCommit) await run();
  }

  /** Setting a price locks it: the same price again is a no-op, any other change is a conflict. */
  async setPricing(postId: string, viewerId: string, input: SetPricingDto): Promise<PostDto> {
    // Visibility first, outside the transaction: it may read memberships, and inside it every
    // read must use the transaction's connection (the embedded database has only one).
    await this.visibleEntity(postId, viewerId);
    return this.posts.manager.transaction(async (tx: EntityManager) => {
      const post = await tx
        .getRepository(PostEntity)
        .createQueryBuilder('p')
        .setLock('pessimistic_write')
        .where('p.id = :id', { id: postId })
        .getOne();
      if (!post) throw ProblemException.notFound('No such post.');
      if (post.authorId !== viewerId)
        throw ProblemException.forbidden('Only the author can price a post.');
      if (post.pricingModel) {
        const same =
          post.pricingModel === input.model &&
          post.priceAmount === input.amount &&
          post.priceCurrency === input.currency;
        if (!same)
          throw ProblemException.conflict(
            'The price of this post is locked: it was set before and cannot change.',
          );
        return this.view(post, viewerId);
      }
      await tx.update(PostEntity, post.id, {
        pricingModel: input.model,
        priceAmount: input.amount,
        priceCurrency: input.currency,
        pricedAt: new Date(),
      });
      return this.view(
        {
          ...post,
          pricingModel: input.model,
          priceAmount: input.amount,
          priceCurrency: input.currency,
        },
        viewerId,
      );
    });
  }

  async listReplies(
    postId: string,
    viewerId: string,
    page: { limit?: number; cursor?: string },
  ): Promise<Page<PostDto>> {
    const parent = await this.readableEntity(postId, viewerId);
    const qb = this.posts
      .createQueryBuilder('p')
      .where('p.parent_post_id = :parent', { parent: parent.id })
      .andWhere(VISIBLE, { viewer: viewerId });
    // A thread reads top to bottom: oldest reply first.
    // A reply with a price of its own reads as locked here unless it is the viewer's: listing
    // pays no entitlement lookup per row (GET /api/posts/{replyId} gives the exact answer).
    return pageByCreation(
      qb,
      page,
      (p) => this.view(p, viewerId, parent.authorId, isPostReadable(p, viewerId, false)),
      'oldest',
    );
  }

  /**
   * Checks, then writes, in one transaction with the reply locked: a reply the moderator may not
   * see (a draft, say) is a 404 with nothing changed, and an edit cannot slip in between.
   */
  async moderateReply(
    postId: string,
    replyId: string,
    viewerId: string,
    decision: { state: 'accepted' } | { state: 'needs_revision'; note: string },
  ): Promise<PostDto> {
    const parent = await this.visibleEntity(postId, viewerId);
    if (parent.authorId !== viewerId)
      throw ProblemException.forbidden('Only the author of the post moderates its replies.');
    return this.posts.manager.transaction(async (tx) => {
      const reply = await tx
        .getRepository(PostEntity)
        .createQueryBuilder('p')
        .setLock('pessimistic_write')
        .where('p.id = :id AND p.parent_post_id = :parent', { id: replyId, parent: parent.id })
        .getOne();
      // Pure check, no query: the moderator wrote the parent, and replies carry no audience tags
      // of their own (they reach the parent's audience), so no membership needs reading here.
      if (!reply || !isPostVisible(reply, viewerId, parent))
        throw ProblemException.notFound('No such reply to this post.');
      const changes = {
        replyState: decision.state,
        revisionNote: decision.state === 'needs_revision' ? decision.note : null,
      };
      await tx.update(PostEntity, reply.id, changes);
      const updated = await tx.findOneByOrFail(PostEntity, { id: reply.id });
      await this.events.record(
        tx,
        decision.state === 'accepted'
          ? CONTENT_EVENT_TYPES.replyAccepted
          : CONTENT_EVENT_TYPES.replyRevisionRequested,
        {
          ...replyEventData(updated, parent),
          ...(decision.state === 'needs_revision' ? { note: decision.note } : {}),
        },
        { recipients: [updated.authorId, parent.authorId] },
      );
      return this.view(
        updated,
        viewerId,
        parent.authorId,
        isPostReadable(updated, viewerId, false),
      );
    });
  }

  /**
   * Whether an edit sends a reply (back) to review: any revision of a reply that was asked to
   * change, and a changed title or body of a reply that was (or would have been) moderated, so
   * text the moderator never saw is not public under an earlier acceptance.
   */
  private async editNeedsReview(post: PostEntity, changes: Partial<PostEntity>) {
    // A reply read as awaiting_review still gets the write: a moderator may accept it between
    // this read and the update, and the edited text must not ride on that acceptance.
    if (!post.parentPostId) return false;
    if (post.replyState === 'needs_revision' || post.replyState === 'awaiting_review') return true;
    const textChanged =
      (changes.title !== undefined && changes.title !== post.title) ||
      (changes.body !== undefined && changes.body !== post.body);
    if (!textChanged) return false;
    const parent = await this.posts.findOne({
      where: { id: post.parentPostId },
      select: { id: true, authorId: true, requiresReplyApproval: true },
    });
    return parent !== null && replyNeedsReview(parent, post.authorId);
  }

  /**
   * The feed is the hottest read: one hand-written statement (feed-statement.ts), prepared once
   * per connection, whose one row carries the page's items as finished JSON, so the page is
   * returned as JSON text, ready to send.
   */
  async feedJson(viewerId: string, query: FeedQueryDto): Promise<string> {
    const pinned = TokenResources.pinnedPosts();
    const statement = feedStatement(viewerId, query, pinned ? [...pinned] : null);
    const [page] = await preparedQuery<FeedPageRow>(
      this.posts.manager.connection,
      statement.text,
      statement.values,
      { prepare: statement.prepare },
    );
    const nextCursor = page?.cursorAt && page.id ? encodeCursor([page.cursorAt, page.id]) : null;
    // The shape of Page<PostDto>, assembled from the items' JSON text.
    return `{"items":[${page?.items ?? ''}],"nextCursor":${JSON.stringify(nextCursor)}}`;
  }

  /** Whether the post exists and the viewer may see it (Sharing checks link targets with it). */
  async isVisibleTo(postId: string, viewerId: string): Promise<boolean> {
    const post = await this.posts.findOneBy({ id: postId });
    return post !== null && allowedByPin(post) && (await this.isVisibleWithParent(post, viewerId));
  }

  /**
   * The id of the post behind a share link (/r/{referenceId}) if anyone, signed in or not, may
   * see it; null otherwise, so a draft or an audience-limited post is not revealed by its link.
   */
  async publicPostIdByReference(referenceId: string): Promise<string | null> {
    const row = await this.posts
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .where('p.reference_id = :referenceId', { referenceId })
      // No viewer: NULL matches no author and no membership, leaving what is public.
      .andWhere(visiblePostSql('p', 'CAST(NULL AS uuid)'))
      .getRawOne<{ id: string }>();
    return row?.id ?? null;
  }

  /** The post if the viewer may see it; 404 otherwise (an invisible post does not exist). */
  async visibleEntity(postId: string, viewerId: string): Promise<PostEntity> {
    const post = await this.posts.findOneBy({ id: postId });
    if (!post || !allowedByPin(post) || !(await this.isVisibleWithParent(post, viewerId)))
      throw ProblemException.notFound('No such post.');
    return post;
  }

  /** The post if the viewer wrote it; 404 if they cannot see it, 403 if they can but did not write it. */
  async ownEntity(postId: string, viewerId: string): Promise<PostEntity> {
    const post = await this.visibleEntity(postId, viewerId);
    if (post.authorId !== viewerId)
      throw ProblemException.forbidden('Only the author can change this post.');
    return post;
  }

  private async parentAuthor(post: PostEntity): Promise<string | undefined> {
    if (!post.parentPostId) return undefined;
    return (
      await this.posts.findOne({
        where: { id: post.parentPostId },
        select: { id: true, authorId: true },
      })
    )?.authorId;
  }

  private async isVisibleWithParent(post: PostEntity, viewerId: string): Promise<boolean> {
    const parent = post.parentPostId
      ? await this.posts.findOne({
          where: { id: post.parentPostId },
          select: {
            id: true,
            authorId: true,
            status: true,
            audienceTags: true,
            pricingModel: true,
          },
        })
      : undefined;
    return this.isVisible(post, viewerId, parent ?? undefined);
  }

  /**
   * The rule in TypeScript, with the viewer's membership tags (for the post's author and, for a
   * reply, the parent's author) read afresh only when the audience tags need them.
   */
  private async isVisible(
    post: PostEntity,
    viewerId: string,
    parent?: Pick<PostEntity, 'id' | 'authorId' | 'status' | 'audienceTags' | 'pricingModel'>,
  ): Promise<boolean> {
    const tagsFor = async (p: Pick<PostEntity, 'authorId' | 'status' | 'audienceTags'>) =>
      p.authorId !== viewerId && p.status === 'PUBLISHED' && p.audienceTags.length > 0
        ? this.memberships.tagsHeldBy(p.authorId, viewerId)
        : [];
    const viewerTags = needsViewerTags(post, viewerId) ? await tagsFor(post) : [];
    const parentFacts = parent && {
      ...parent,
      viewerTags: await tagsFor(parent),
      viewerEntitled: await this.isReadable(parent, viewerId),
    };
    return isPostVisible(post, viewerId, parentFacts, viewerTags);
  }

  private async checkPlaceAndSchedule(input: {
    placeId?: string | null;
    scheduledAt?: string | null;
    timezone?: string | null;
  }) {
    const errors = [];
    if (input.timezone && !isValidTimeZone(input.timezone))
      errors.push({
        field: 'timezone',
        message: 'must be an IANA time zone such as Europe/Berlin',
      });
    if (input.scheduledAt && !input.timezone)
      errors.push({ field: 'timezone', message: 'is required with scheduledAt' });
    // An offset can push a valid-looking 9999-12-31 past year 9999 in UTC, which ISO 8601
    // (and toISOString) then writes with six digits; keep every instant four-digit.
    const year = input.scheduledAt ? new Date(input.scheduledAt).getUTCFullYear() : 2000;
    if (year < 1 || year > 9999)
      errors.push({ field: 'scheduledAt', message: 'must fall in the years 0001–9999 (UTC)' });
    if (errors.length) throw ProblemException.validation(errors);
    if (input.placeId && !(await this.places.existsBy({ id: input.placeId }))) {
      throw ProblemException.validation([{ field: 'placeId', message: 'is not a known place' }]);
    }
  }

  /** `readable`: whether the viewer reads a priced post's body (the author always does). */
  private view(
    p: PostEntity,
    viewerId: string,
    parentAuthorId?: string,
    readable = p.authorId === viewerId,
  ): PostDto {
    const isAuthor = p.authorId === viewerId;
    const locked = !!p.pricingModel && !isAuthor && !readable;
    const seesModeration = isAuthor || parentAuthorId === viewerId;
    return {
      id: p.id,
      referenceId: p.referenceId,
      authorId: p.authorId,
      title: p.title,
      body: locked ? null : p.body,
      status: p.status,
      placeId: p.placeId,
      scheduledAt: p.scheduledAt?.toISOString() ?? null,
      timezone: p.timezone,
      audienceTags: p.audienceTags,
      hashtags: p.hashtags,
      ...(isAuthor ? { mentions: p.mentions } : {}),
      parentPostId: p.parentPostId,
      requiresReplyApproval: p.requiresReplyApproval,
      replyState: p.replyState,
      ...(seesModeration ? { revisionNote: p.revisionNote } : {}),
      pricing: p.pricingModel
        ? {
            model: p.pricingModel,
            amount: p.priceAmount!,
            currency: p.priceCurrency!,
            locked: true,
          }
        : null,
      purchase: locked ? { ...PURCHASE_HINT } : null,
      publishedAt: p.publishedAt?.toISOString() ?? null,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }
}

/**
 * A token pinned to selected posts sees those and the replies under them; every other post
 * answers 404 (token-resources.ts). Callers without a pin see everything visibility allows.
 */
function allowedByPin(post: Pick<PostEntity, 'id' | 'parentPostId'>): boolean {
  if (TokenResources.allowsPost(post.id) || TokenResources.allowsPost(post.parentPostId))
    return true;
  TokenResources.noteRefused(post.id);
  return false;
}
