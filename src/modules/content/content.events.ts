import type { DomainEventDefinition } from '../../events/index.js';
import { POST_STATUSES, REPLY_STATES } from './posts/post.entity.js';

/**
 * Events Content records (registered on ContentModule), in the transaction of the change. Their
 * recipients are the people concerned (the author; for replies also the author of the post
 * answered), and the payload carries ids and metadata only, never a body: a receiver's owner may
 * read every field.
 */
export const CONTENT_EVENT_TYPES = {
  postPublished: 'post.published',
  postUpdated: 'post.updated',
  postDeleted: 'post.deleted',
  replySubmitted: 'reply.submitted',
  replyAccepted: 'reply.accepted',
  replyRevisionRequested: 'reply.revision_requested',
} as const;

const uuid = { type: 'string', format: 'uuid' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

const postFields = {
  postId: uuid,
  referenceId: {
    type: 'string',
    description: 'The short id in the post’s share link /r/{referenceId}.',
  },
  authorId: uuid,
  title: { type: 'string' },
  status: { type: 'string', enum: POST_STATUSES },
  publishedAt: { ...dateTime, type: ['string', 'null'] },
} as const;

const replyFields = {
  replyId: uuid,
  postId: { ...uuid, description: 'The post answered.' },
  authorId: { ...uuid, description: 'Who wrote the reply.' },
  postAuthorId: { ...uuid, description: 'Who wrote the post answered (its moderator).' },
  replyState: { type: 'string', enum: REPLY_STATES },
} as const;

const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});

export const CONTENT_EVENTS: DomainEventDefinition[] = [
  {
    type: CONTENT_EVENT_TYPES.postPublished,
    summary: 'A post of yours was published (created as PUBLISHED, or first set to PUBLISHED).',
    schema: object(postFields),
  },
  {
    type: CONTENT_EVENT_TYPES.postUpdated,
    summary: 'A post of yours was edited; `changed` lists the fields that changed.',
    schema: object({
      ...postFields,
      changed: { type: 'array', items: { type: 'string' } },
    }),
  },
  {
    type: CONTENT_EVENT_TYPES.postDeleted,
    summary: 'A post of yours was deleted (its replies went with it).',
    schema: object({ postId: uuid, referenceId: postFields.referenceId, authorId: uuid }),
  },
  {
    type: CONTENT_EVENT_TYPES.replySubmitted,
    summary:
      'A reply was published to a post: sent to the reply’s author and the post’s author; `replyState` says whether it awaits review.',
    schema: object(replyFields),
  },
  {
    type: CONTENT_EVENT_TYPES.replyAccepted,
    summary: 'The post’s author accepted a reply: sent to both authors.',
    schema: object(replyFields),
  },
  {
    type: CONTENT_EVENT_TYPES.replyRevisionRequested,
    summary:
      'The post’s author asked for a revision of a reply, with a note: sent to both authors.',
    schema: object({ ...replyFields, note: { type: 'string' } }),
  },
];
