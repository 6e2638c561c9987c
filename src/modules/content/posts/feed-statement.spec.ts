import { DEFAULT_PAGE_SIZE, encodeCursor, ProblemException } from '../../../common/index.js';
import { memberHoldsAnyTagSql } from '../../account/index.js';
import { feedStatement } from './feed-statement.js';
import { FEED_EXCERPT_LENGTH, type FeedQueryDto } from './posts.dto.js';

const VIEWER = '11111111-1111-4111-8111-111111111111';
const OTHER_VIEWER = '22222222-2222-4222-8222-222222222222';
const AUTHOR = '33333333-3333-4333-8333-333333333333';
const ROW_ID = '44444444-4444-4444-8444-444444444444';
const AT = '2026-11-28T10:00:00.000Z';
const CURSOR = encodeCursor([AT, ROW_ID]);

const feed = (query: Partial<FeedQueryDto> = {}, viewer = VIEWER) => feedStatement(viewer, query);

/** The plain shapes: every sort, status and time, with and without a cursor. */
const PLAIN_SHAPES: Partial<FeedQueryDto>[] = (['recent', 'upcoming'] as const).flatMap((sort) =>
  ([undefined, 'DRAFT', 'PUBLISHED'] as const).flatMap((status) =>
    ([undefined, 'upcoming', 'past', 'all'] as const).flatMap((time) =>
      [undefined, CURSOR].map((cursor) => ({ sort, status, time, cursor })),
    ),
  ),
);

describe('feedStatement', () => {
  it('prepares the plain shapes at the default page size, a couple of dozen texts at most', () => {
    const statements = PLAIN_SHAPES.map((q) => feed(q));
    expect(statements.every((s) => s.prepare)).toBe(true);
    const texts = new Set(statements.map((s) => s.text));
    expect(texts.size).toBeGreaterThan(1);
    expect(texts.size).toBeLessThanOrEqual(24);
    // The viewer and the cursor position are bound, so they never make a new text.
    for (const q of PLAIN_SHAPES) expect(feed(q, OTHER_VIEWER).text).toBe(feed(q).text);
    expect(feed({ cursor: encodeCursor(['2020-01-01T00:00:00.000Z', AUTHOR]) }).text).toBe(
      feed({ cursor: CURSOR }).text,
    );
  });

  it.each<[string, Partial<FeedQueryDto>]>([
    ['an author filter', { author: AUTHOR }],
    ['a hashtag filter', { hashtag: 'market' }],
    ['a place filter', { placeId: AUTHOR }],
    ['a search', { q: 'winter market' }],
    ['a page size other than the default', { limit: DEFAULT_PAGE_SIZE + 1 }],
    ['a small page size', { limit: 1 }],
  ])('runs unnamed (not prepared) with %s', (_name, query) => {
    expect(feed(query).prepare).toBe(false);
    expect(feed({ ...query, sort: 'upcoming', cursor: CURSOR }).prepare).toBe(false);
  });

  it("shows posts with audience tags to the author's members holding one, through the membership key", () => {
    // The bound viewer ($1) and the row's author and tags: one primary-key probe per tagged post.
    const probe = memberHoldsAnyTagSql('p.author_id', '$1', 'p.audience_tags');
    for (const q of PLAIN_SHAPES) expect(feed(q).text).toContain(probe);
    expect(probe).toMatch(/m\.creator_id = p\.author_id AND m\.member_id = \$1/);
  });

  it('writes the page size plus one into the text, never as a parameter', () => {
    for (const limit of [1, DEFAULT_PAGE_SIZE, 100]) {
      const s = feed({ limit });
      expect(s.limit).toBe(limit);
      expect(s.text).toMatch(new RegExp(`LIMIT ${limit + 1}\\)`));
      expect(s.text).not.toMatch(/LIMIT \$/);
      expect(s.values).not.toContain(limit + 1);
    }
    expect(feed().limit).toBe(DEFAULT_PAGE_SIZE);
    expect(feed().text).toMatch(new RegExp(`LIMIT ${DEFAULT_PAGE_SIZE + 1}\\)`));
  });

  it('refuses a page size that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      expect(() => feed({ limit })).toThrow(RangeError);
    }
  });

  it('binds every value, the viewer first, and numbers the parameters in order', () => {
    const hostile = `x'); DROP TABLE posts; --`;
    const s = feed({ author: AUTHOR, hashtag: hostile, placeId: ROW_ID, q: hostile });
    expect(s.values).toEqual([VIEWER, AUTHOR, hostile, ROW_ID, hostile]);
    expect(s.text).not.toContain(hostile);
    expect(s.text).not.toContain(AUTHOR);
    expect(s.text).toContain('p.author_id = $2');
    expect(s.text).toContain('p.hashtags @> ARRAY[$3::text]');
    expect(s.text).toContain('p.place_id = $4');
    expect(s.text).toContain(`websearch_to_tsquery('english', $5)`);
    expect(s.text).not.toMatch(/\$6/);
    expect(feed().values).toEqual([VIEWER]);
  });

  it('sorts recent posts newest first and upcoming events soonest first, the id breaking ties', () => {
    const recent = feed();
    expect(recent.text).toContain('ORDER BY p.created_at DESC, p.id DESC');
    expect(recent.text).not.toContain('p.scheduled_at IS NOT NULL');
    const upcoming = feed({ sort: 'upcoming' });
    expect(upcoming.text).toContain('ORDER BY p.scheduled_at ASC, p.id ASC');
    expect(upcoming.text).toContain('p.scheduled_at IS NOT NULL');
    // Upcoming events are the future ones unless the query asks for another time.
    expect(upcoming.text).toContain('p.scheduled_at >= now()');
    expect(feed({ sort: 'upcoming', time: 'all' }).text).not.toContain('p.scheduled_at >= now()');
  });

  it('continues after the cursor in the direction of the sort, binding both keys', () => {
    const recent = feed({ cursor: CURSOR });
    expect(recent.text).toContain('(p.created_at, p.id) < ($2::timestamptz, $3::uuid)');
    expect(recent.values).toEqual([VIEWER, AT, ROW_ID]);
    const upcoming = feed({ sort: 'upcoming', cursor: CURSOR, author: AUTHOR });
    expect(upcoming.text).toContain('(p.scheduled_at, p.id) > ($3::timestamptz, $4::uuid)');
    expect(upcoming.values).toEqual([VIEWER, AUTHOR, AT, ROW_ID]);
    expect(feed().text).not.toMatch(/\(p\.\w+, p\.id\) [<>]/);
  });

  it('refuses a cursor it did not issue with a validation problem naming the cursor', () => {
    for (const cursor of ['garbage!', encodeCursor([AT]), encodeCursor(['not a date', ROW_ID])]) {
      expect(() => feed({ cursor })).toThrow(
        expect.objectContaining({
          code: 'validation_failed',
          extensions: {
            errors: [{ field: 'cursor', message: 'is not a cursor this list issued' }],
          },
        }),
      );
      expect(() => feed({ cursor })).toThrow(ProblemException);
    }
  });

  it('filters by time of the event, and lists only the viewer’s own drafts', () => {
    expect(feed({ time: 'past' }).text).toContain('p.scheduled_at < now()');
    expect(feed({ time: 'upcoming' }).text).toContain('p.scheduled_at >= now()');
    const all = feed({ time: 'all' }).text;
    expect(all).not.toContain('p.scheduled_at < now()');
    expect(all).not.toContain('p.scheduled_at >= now()');
    expect(feed().text).toContain(`p.status = 'PUBLISHED'`);
    const drafts = feed({ status: 'DRAFT' }).text;
    expect(drafts).toContain(`p.status = 'DRAFT' AND p.author_id = $1`);
    expect(drafts).not.toContain(`p.status = 'PUBLISHED'`);
    // Top-level posts only: replies live in their thread.
    expect(feed().text).toContain('p.parent_post_id IS NULL');
  });

  it('writes an excerpt instead of the body, and the body too only with include=body, as its own prepared text', () => {
    const plain = feed();
    const withBody = feed({ include: 'body' });
    expect(plain.text).toContain(`left(p.body, ${FEED_EXCERPT_LENGTH})`);
    expect(plain.text).not.toContain('AS "body"');
    expect(withBody.text).toContain('AS "body"');
    expect(withBody.text).toContain(`left(p.body, ${FEED_EXCERPT_LENGTH})`);
    expect(withBody.prepare).toBe(true);
    expect(withBody.text).not.toBe(plain.text);
    // Interned per shape: the same query gives the same string object, not an equal copy.
    expect(feed({ include: 'body' }).text).toBe(withBody.text);
    // Reply-only fields are not in a feed item: the feed holds top-level posts only.
    for (const key of ['parentPostId', 'replyState', 'revisionNote'])
      expect(plain.text).not.toContain(`AS "${key}"`);
  });
});
