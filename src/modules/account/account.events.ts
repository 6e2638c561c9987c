import type { DomainEventDefinition } from '../../events/index.js';

/** Events Account records (registered on AccountModule), in the transaction of the change. */
export const ACCOUNT_EVENT_TYPES = {
  tokenCreated: 'token.created',
  tokenRevoked: 'token.revoked',
  tokenStaleWarning: 'token.stale_warning',
  membershipJoined: 'membership.joined',
  membershipLeft: 'membership.left',
  tokenExpiring: 'token.expiring',
  tokenExpired: 'token.expired',
  tokenLeakReported: 'token.leak_reported',
} as const;

const uuid = { type: 'string', format: 'uuid' } as const;

const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});

const tokenFields = {
  tokenId: uuid,
  name: { type: 'string' },
  prefix: { type: 'string', description: 'The token’s display prefix (never the secret).' },
} as const;

/** The token events of expiry warnings and leak reports (issue 21) name the prefix `tokenPrefix`. */
const tokenNoticeFields = {
  tokenId: uuid,
  name: { type: 'string' },
  tokenPrefix: { type: 'string', description: 'The token’s display prefix (never the secret).' },
} as const;

const dateTime = { type: 'string', format: 'date-time' } as const;

const membershipFields = {
  creatorId: uuid,
  memberId: uuid,
  at: { type: 'string', format: 'date-time' },
} as const;

export const ACCOUNT_EVENTS: DomainEventDefinition[] = [
  {
    type: ACCOUNT_EVENT_TYPES.tokenCreated,
    summary:
      'Security: a personal access token was created on your account (never carries the token itself).',
    schema: object({
      ...tokenFields,
      scopes: { type: 'array', items: { type: 'string' } },
      expiresAt: { type: ['string', 'null'], format: 'date-time' },
    }),
  },
  {
    type: ACCOUNT_EVENT_TYPES.tokenRevoked,
    summary:
      'Security: a personal access token of yours was revoked: by you, by an admin, by the stale-token clean-up ("stale"), or because it was reported as leaked ("leak_report").',
    schema: object({
      ...tokenFields,
      by: { type: 'string', enum: ['owner', 'admin', 'stale', 'leak_report'] },
    }),
  },
  {
    type: ACCOUNT_EVENT_TYPES.tokenExpiring,
    summary:
      'A personal access token of yours expires in 30, 7 or 1 days (sent once per stage; a token made closer to its expiry skips the stages already past).',
    schema: object({
      ...tokenNoticeFields,
      expiresAt: dateTime,
      daysLeft: { type: 'integer', enum: [30, 7, 1] },
    }),
  },
  {
    type: ACCOUNT_EVENT_TYPES.tokenExpired,
    summary: 'A personal access token of yours reached its expiry and no longer works.',
    schema: object({ ...tokenNoticeFields, expiredAt: dateTime }),
  },
  {
    type: ACCOUNT_EVENT_TYPES.tokenLeakReported,
    summary:
      'Security: a personal access token of yours was reported as leaked (e.g. by a secret scanner) and was revoked at once.',
    schema: object({
      ...tokenNoticeFields,
      source: {
        type: ['string', 'null'],
        description: 'Where the reporter found it, as they said (e.g. a URL); null if not said.',
      },
      revokedAt: dateTime,
    }),
  },
  {
    type: ACCOUNT_EVENT_TYPES.tokenStaleWarning,
    summary:
      'Security: a personal access token of yours has not been used for a long time and will be revoked at revokesAt unless it is used before then (sent once).',
    schema: object({
      tokenId: uuid,
      name: { type: 'string' },
      tokenPrefix: {
        type: 'string',
        description: 'The token’s display prefix (never the secret).',
      },
      lastUsedAt: {
        type: ['string', 'null'],
        format: 'date-time',
        description: 'Its last use; null if it was never used.',
      },
      revokesAt: { type: 'string', format: 'date-time' },
    }),
  },
  {
    type: ACCOUNT_EVENT_TYPES.membershipJoined,
    summary: 'Someone joined a creator’s membership: sent to the creator and the new member.',
    schema: object(membershipFields),
  },
  {
    type: ACCOUNT_EVENT_TYPES.membershipLeft,
    summary: 'Someone left a creator’s membership: sent to the creator and the former member.',
    schema: object(membershipFields),
  },
];
