import { PGlite } from '@electric-sql/pglite';
import type { PostStatus, PricingModel, ReplyState } from './post.entity.js';
import {
  feedVisibilitySql,
  isPostVisible,
  needsViewerTags,
  type PostVisibilityFacts,
  visiblePostSql,
} from './post-visibility.js';

const AUTHOR = '00000000-0000-4000-8000-00000000000a';
const PARENT_AUTHOR = '00000000-0000-4000-8000-00000000000b';
const STRANGER = '00000000-0000-4000-8000-00000000000c';
const VIP_MEMBER = '00000000-0000-4000-8000-00000000000d';
const GOLD_MEMBER = '00000000-0000-4000-8000-00000000000e';
const PARENT_ID = '00000000-0000-4000-8000-0000000000f0';
const POST_ID = '00000000-0000-4000-8000-0000000000f1';

interface Case {
  name: string;
  post: PostVisibilityFacts;
  /** The parent of a reply (written by PARENT_AUTHOR). */
  parent: { status: PostStatus; audienceTags: string[]; pricingModel?: PricingModel };
  viewer: string;
}

/**
 * Memberships as [creator, member, tags]. The stranger holds `vip` too, but as a member of
 * someone else (the parent's author): only a membership of the post's author counts.
 */
const MEMBERSHIPS: [string, string, string[]][] = [
  [AUTHOR, VIP_MEMBER, ['vip', 'early']],
  [AUTHOR, GOLD_MEMBER, ['gold']],
  [PARENT_AUTHOR, STRANGER, ['vip']],
  [PARENT_AUTHOR, VIP_MEMBER, ['inner']],
];

/** Who bought the (priced) parent: the vip member, not the stranger. */
const ENTITLED_TO_PARENT = [VIP_MEMBER];

/** What a TypeScript caller hands isPostVisible: the viewer's tags as a member of the author. */
function tagsHeldBy(creatorId: string, memberId: string): string[] {
  return MEMBERSHIPS.find(([c, m]) => c === creatorId && m === memberId)?.[2] ?? [];
}

/** Every combination of what the rule reads: viewer, status, audience tags, reply or not. */
function cases(): Case[] {
  const viewers = {
    author: AUTHOR,
    'parent author': PARENT_AUTHOR,
    stranger: STRANGER,
    'member holding vip': VIP_MEMBER,
    'member holding gold': GOLD_MEMBER,
  };
  const shapes: { kind: string; parentPostId: string | null; replyState: ReplyState | null }[] = [
    { kind: 'top-level', parentPostId: null, replyState: null },
    ...(['awaiting_review', 'accepted', 'needs_revision'] as const).map((replyState) => ({
      kind: `reply ${replyState}`,
      parentPostId: PARENT_ID,
      replyState,
    })),
  ];
  // A reply's parent: open, members-only (held by the stranger and, as `inner`, by the vip
  // member), or a draft.
  const parents: Case['parent'][] = [
    { status: 'PUBLISHED', audienceTags: [] },
    { status: 'PUBLISHED', audienceTags: ['vip'] },
    { status: 'PUBLISHED', audienceTags: ['inner'] },
    { status: 'DRAFT', audienceTags: [] },
    // Priced: its replies are for its author and its buyers (the vip member).
    { status: 'PUBLISHED', audienceTags: [], pricingModel: 'one_time' },
  ];
  const out: Case[] = [];
  for (const [who, viewer] of Object.entries(viewers))
    for (const status of ['DRAFT', 'PUBLISHED'] as PostStatus[])
      for (const audienceTags of [[], ['vip'], ['gold', 'silver'], ['silver']])
        for (const shape of shapes)
          for (const parent of shape.parentPostId ? parents : parents.slice(0, 1))
            out.push({
              name: `${who} · ${status} · tags ${JSON.stringify(audienceTags)} · ${shape.kind}${shape.parentPostId ? ` of a ${parent.status}${parent.pricingModel ? ' priced' : ''} parent tagged ${JSON.stringify(parent.audienceTags)}` : ''}`,
              viewer,
              parent,
              post: {
                authorId: AUTHOR,
                status,
                audienceTags,
                parentPostId: shape.parentPostId,
                replyState: shape.replyState,
              },
            });
  return out;
}

describe('post visibility', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = new PGlite();
    // The columns the rule reads, named as in the posts table.
    await db.exec(`CREATE TABLE posts (
      id uuid PRIMARY KEY,
      author_id uuid NOT NULL,
      status text NOT NULL,
      audience_tags text[] NOT NULL DEFAULT '{}',
      parent_post_id uuid REFERENCES posts (id),
      reply_state text,
      pricing_model text
    )`);
    // The columns readablePostSql reads, named as in the post_entitlements table.
    await db.exec(`CREATE TABLE post_entitlements (
      post_id uuid NOT NULL,
      user_id uuid NOT NULL,
      until timestamptz,
      PRIMARY KEY (post_id, user_id)
    )`);
    for (const userId of ENTITLED_TO_PARENT)
      await db.query('INSERT INTO post_entitlements (post_id, user_id) VALUES ($1, $2)', [
        PARENT_ID,
        userId,
      ]);
    // The columns memberHoldsAnyTagSql reads, named as in the memberships table.
    await db.exec(`CREATE TABLE memberships (
      creator_id uuid NOT NULL,
      member_id uuid NOT NULL,
      tags text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (creator_id, member_id)
    )`);
    for (const [creatorId, memberId, tags] of MEMBERSHIPS)
      await db.query('INSERT INTO memberships (creator_id, member_id, tags) VALUES ($1, $2, $3)', [
        creatorId,
        memberId,
        tags,
      ]);
  });

  /** The TypeScript form as PostsService calls it, reading the viewer's tags only when needed. */
  const tsSays = (c: Case) =>
    isPostVisible(
      c.post,
      c.viewer,
      c.post.parentPostId
        ? {
            authorId: PARENT_AUTHOR,
            ...c.parent,
            viewerTags: tagsHeldBy(PARENT_AUTHOR, c.viewer),
            viewerEntitled: ENTITLED_TO_PARENT.includes(c.viewer),
          }
        : undefined,
      needsViewerTags(c.post, c.viewer) ? tagsHeldBy(c.post.authorId, c.viewer) : [],
    );

  afterAll(async () => {
    await db.close();
  });

  /** Stores the case's post (and its parent) and asks PostgreSQL whether `condition` holds. */
  async function sqlSays(c: Case, condition: string): Promise<boolean> {
    await db.exec('DELETE FROM posts');
    await db.query(
      `INSERT INTO posts (id, author_id, status, audience_tags, pricing_model)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        PARENT_ID,
        PARENT_AUTHOR,
        c.parent.status,
        c.parent.audienceTags,
        c.parent.pricingModel ?? null,
      ],
    );
    await db.query(
      `INSERT INTO posts (id, author_id, status, audience_tags, parent_post_id, reply_state)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        POST_ID,
        c.post.authorId,
        c.post.status,
        c.post.audienceTags,
        c.post.parentPostId,
        c.post.replyState,
      ],
    );
    const result = await db.query<{ visible: boolean }>(
      `SELECT ${condition} AS visible FROM posts p WHERE p.id = $2`,
      [c.viewer, POST_ID],
    );
    return result.rows[0].visible;
  }

  it('gives the same answer in SQL and in TypeScript for every case', async () => {
    const sql = visiblePostSql('p', '$1::uuid');
    const disagreements: string[] = [];
    for (const c of cases()) {
      const inTypeScript = tsSays(c);
      const inSql = await sqlSays(c, sql);
      if (inSql !== inTypeScript)
        disagreements.push(`${c.name}: SQL ${inSql}, TypeScript ${inTypeScript}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('spells out the rule on a few cases', () => {
    const published: PostVisibilityFacts = {
      authorId: AUTHOR,
      status: 'PUBLISHED',
      audienceTags: [],
      parentPostId: null,
      replyState: null,
    };
    expect(isPostVisible({ ...published, status: 'DRAFT' }, AUTHOR)).toBe(true);
    expect(isPostVisible({ ...published, status: 'DRAFT' }, STRANGER)).toBe(false);
    expect(isPostVisible(published, STRANGER)).toBe(true);
    expect(isPostVisible({ ...published, audienceTags: ['vip'] }, STRANGER)).toBe(false);
    // Audience tags: a member of the author holding one of them, and no one else.
    const forVip = { ...published, audienceTags: ['vip', 'gold'] };
    expect(isPostVisible(forVip, VIP_MEMBER, undefined, ['early', 'vip'])).toBe(true);
    expect(isPostVisible(forVip, VIP_MEMBER, undefined, ['early'])).toBe(false);
    expect(isPostVisible(forVip, VIP_MEMBER)).toBe(false);
    expect(isPostVisible({ ...forVip, status: 'DRAFT' }, VIP_MEMBER, undefined, ['vip'])).toBe(
      false,
    );
    expect(needsViewerTags(forVip, VIP_MEMBER)).toBe(true);
    expect(needsViewerTags(forVip, AUTHOR)).toBe(false);
    expect(needsViewerTags(published, VIP_MEMBER)).toBe(false);
    const pendingReply = {
      ...published,
      parentPostId: PARENT_ID,
      replyState: 'awaiting_review' as const,
    };
    const openParent = { authorId: PARENT_AUTHOR, status: 'PUBLISHED' as const, audienceTags: [] };
    expect(isPostVisible(pendingReply, STRANGER, openParent)).toBe(false);
    expect(isPostVisible(pendingReply, PARENT_AUTHOR, openParent)).toBe(true);
    // A reply to a members-only post is members-only too, whatever its own tags.
    const acceptedReply = { ...pendingReply, replyState: 'accepted' as const };
    const vipParent = { ...openParent, audienceTags: ['vip'] };
    expect(isPostVisible(acceptedReply, STRANGER, openParent)).toBe(true);
    expect(isPostVisible(acceptedReply, GOLD_MEMBER, vipParent)).toBe(false);
    expect(isPostVisible(acceptedReply, GOLD_MEMBER, { ...vipParent, viewerTags: ['vip'] })).toBe(
      true,
    );
    expect(isPostVisible(acceptedReply, GOLD_MEMBER)).toBe(false);
    // A priced post's replies are part of what was bought.
    const pricedParent = { ...openParent, pricingModel: 'subscription' as const };
    expect(isPostVisible(acceptedReply, STRANGER, pricedParent)).toBe(false);
    expect(isPostVisible(acceptedReply, STRANGER, { ...pricedParent, viewerEntitled: true })).toBe(
      true,
    );
    expect(isPostVisible(acceptedReply, PARENT_AUTHOR, pricedParent)).toBe(true);
    expect(isPostVisible({ ...acceptedReply, authorId: STRANGER }, STRANGER, pricedParent)).toBe(
      true,
    );
  });

  it("reduces to the feed's form for top-level posts under either feed status filter", async () => {
    const full = visiblePostSql('p', '$1::uuid');
    const reduced = feedVisibilitySql('p', '$1::uuid');
    // The feed's own status filters (feed-statement.ts): published posts, or your own drafts.
    const statusFilters = [`p.status = 'PUBLISHED'`, `p.status = 'DRAFT' AND p.author_id = $1`];
    const disagreements: string[] = [];
    for (const c of cases().filter((c) => c.post.parentPostId === null))
      for (const status of statusFilters) {
        const withFull = await sqlSays(c, `(${full} AND ${status})`);
        const withReduced = await sqlSays(c, `(${reduced} AND ${status})`);
        if (withFull !== withReduced)
          disagreements.push(`${c.name} [${status}]: full ${withFull}, feed ${withReduced}`);
      }
    expect(disagreements).toEqual([]);
  });
});
