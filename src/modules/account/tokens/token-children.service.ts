import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, type Repository } from 'typeorm';
import type { RequestOrigin, TokenIdentity } from '../../../access/principal.js';
import { missingScopes, type Scope } from '../../../access/scopes.js';
import { exceedsParent, type TokenConstraints } from '../../../access/token-constraints.js';
import { Clock, type FieldError, ProblemException } from '../../../common/index.js';
import { PersonalAccessTokenEntity } from './personal-access-token.entity.js';
import {
  type ConstraintInput,
  constraintsForStorage,
  type TokenView,
  TokensService,
} from './tokens.service.js';

/**
 * Child tokens (issue 21, item 6): an agent holding a personal access token mints a short-lived
 * token for a sub-task, strictly narrower than its own. Scopes, pinned posts and IP ranges must
 * each be a subset of the parent's; the child's life ends by the parent's expiry, and revoking or
 * rotating the parent revokes it (TokensService.revokeChildren). A child cannot mint children:
 * delegation is one level deep, so every child is one step from a token a person made.
 */
@Injectable()
export class TokenChildrenService {
  constructor(
    @InjectRepository(PersonalAccessTokenEntity)
    private readonly tokens: Repository<PersonalAccessTokenEntity>,
    private readonly tokenService: TokensService,
    private readonly clock: Clock,
  ) {}

  /**
   * Mints a child of the calling token. What the request omits (allowedIps, resources) is
   * inherited from the parent; what it states must fit inside the parent, or a 400 names each
   * field and the values that exceed it. The parent row is locked for the insert, so a revoke
   * racing with the mint either comes first (the mint answers 404) or sees the child and
   * revokes it too.
   */
  async mint(
    userId: string,
    parent: TokenIdentity,
    input: {
      name: string;
      scopes: Scope[];
      ttlSeconds: number;
    } & ConstraintInput,
    origin: RequestOrigin,
  ): Promise<{ token: string; meta: TokenView }> {
    if (parent.parentId)
      throw new ProblemException({
        code: 'child_token_cannot_mint',
        detail:
          'This is a child token; only a token made in Settings → API can mint child tokens. Ask the agent that gave you this token to mint another.',
      });
    const requested = constraintsForStorage(input);
    return this.tokens.manager.transaction(async (tx) => {
      const row = await tx
        .createQueryBuilder(PersonalAccessTokenEntity, 't')
        .setLock('pessimistic_write')
        .where('t.id = :id AND t.user_id = :userId AND t.revoked_at IS NULL', {
          id: parent.id,
          userId,
        })
        .getOne();
      if (!row) throw ProblemException.notFound('No such token.');
      if (row.replacedById)
        throw ProblemException.conflict(
          'This token value was rotated; mint children with the token that replaced it.',
        );
      const now = this.clock.now().getTime();
      const parentConstraints: TokenConstraints = {
        allowedIps: row.allowedIps,
        resources: row.resources,
      };
      const child: TokenConstraints = {
        allowedIps:
          requested.allowedIps === undefined ? parentConstraints.allowedIps : requested.allowedIps,
        resources:
          requested.resources === undefined ? parentConstraints.resources : requested.resources,
      };
      const errors: FieldError[] = [];
      const wider = missingScopes(row.scopes, input.scopes);
      if (wider.length)
        errors.push({
          field: 'scopes',
          message: `exceed the parent token's scopes (${row.scopes.join(', ')}): ${wider.join(', ')}`,
        });
      const exceeds = exceedsParent(parentConstraints, child);
      if (exceeds.allowedIps.length)
        errors.push({
          field: 'allowedIps',
          message: `outside the parent token's ranges (${parentConstraints.allowedIps!.join(', ')}): ${exceeds.allowedIps.join(', ')}`,
        });
      if (exceeds.posts.length)
        errors.push({
          field: 'resources.posts',
          message: `outside the parent token's pinned posts: ${exceeds.posts.join(', ')}`,
        });
      const expiresAt = new Date(now + input.ttlSeconds * 1000);
      if (row.expiresAt && expiresAt > row.expiresAt) {
        const left = Math.max(0, Math.floor((row.expiresAt.getTime() - now) / 1000));
        errors.push({
          field: 'ttlSeconds',
          message: `would outlive the parent token, which expires at ${row.expiresAt.toISOString()}: at most ${left}`,
        });
      }
      if (errors.length)
        throw ProblemException.validation(
          errors,
          'A child token must be narrower than its parent: ' +
            errors.map((e) => e.field).join(', ') +
            ' exceed it.',
        );
      return this.tokenService.createIn(
        tx,
        userId,
        {
          name: input.name,
          scopes: input.scopes,
          expiresAt,
          allowedIps: child.allowedIps ? [...child.allowedIps] : null,
          resources: child.resources ? { posts: [...child.resources.posts] } : null,
          parentId: row.id,
        },
        origin,
      );
    });
  }

  /** The calling token's live children, newest first. */
  async list(userId: string, parentId: string): Promise<TokenView[]> {
    const rows = await this.tokens.find({
      where: [{ userId, parentId, revokedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) }],
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return this.tokenService.withUsage(rows);
  }
}
