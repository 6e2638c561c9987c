import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { mapPage, type Page, paginate, ProblemException } from '../../../common/index.js';
import { DomainEvents } from '../../../events/index.js';
import { ACCOUNT_EVENT_TYPES } from '../account.events.js';
import { UserEntity } from '../users/user.entity.js';
import { MembershipEntity } from './membership.entity.js';
import type { MemberDto, MembershipDto, MembersQueryDto } from './memberships.dto.js';

/** `q%` for LIKE with the user's own `\`, `%` and `_` matching themselves. */
function likePrefix(q: string): string {
  return `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Memberships: a person joins or leaves a creator's membership (their own decision), and the
 * creator searches and tags their members. Other modules ask `tagsHeldBy` or put
 * memberHoldsAnyTagSql (membership-sql.ts) in their SQL; they never read the table.
 */
@Injectable()
export class MembershipsService {
  constructor(
    @InjectRepository(MembershipEntity) private readonly memberships: Repository<MembershipEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly events: DomainEvents,
  ) {}

  /** Joining again is a no-op that answers the existing membership (tags and join date kept). */
  async join(creatorId: string, memberId: string): Promise<MembershipDto> {
    if (creatorId === memberId)
      throw ProblemException.validation([
        { field: 'creatorId', message: 'is you: a creator cannot join their own membership' },
      ]);
    await this.requireCreator(creatorId);
    return this.memberships.manager.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(MembershipEntity)
        .values({ creatorId, memberId })
        .orIgnore()
        .returning(['createdAt'])
        .execute();
      const row = await tx.findOneByOrFail(MembershipEntity, { creatorId, memberId });
      const joinedAt = row.createdAt.toISOString();
      // Only a real join is an event; joining again changes nothing.
      if ((inserted.raw as unknown[]).length > 0)
        await this.events.record(
          tx,
          ACCOUNT_EVENT_TYPES.membershipJoined,
          { creatorId, memberId, at: joinedAt },
          { recipients: [creatorId, memberId] },
        );
      return { creatorId, joinedAt };
    });
  }

  /** Leaving takes effect at once: posts for the creator's tagged members are hidden again. */
  async leave(creatorId: string, memberId: string): Promise<void> {
    await this.requireCreator(creatorId);
    await this.memberships.manager.transaction(async (tx) => {
      const result = await tx.delete(MembershipEntity, { creatorId, memberId });
      if (!result.affected)
        throw ProblemException.notFound('You are not a member of this creator.');
      await this.events.record(
        tx,
        ACCOUNT_EVENT_TYPES.membershipLeft,
        { creatorId, memberId, at: new Date().toISOString() },
        { recipients: [creatorId, memberId] },
      );
    });
  }

  /** The creator's members, newest first, by display-name or email prefix and by tag. */
  async searchMembers(creatorId: string, query: MembersQueryDto): Promise<Page<MemberDto>> {
    const qb = this.memberships
      .createQueryBuilder('m')
      .innerJoinAndSelect('m.member', 'u')
      .where('m.creator_id = :creatorId', { creatorId });
    if (query.q)
      qb.andWhere(
        `(u.display_name ILIKE :prefix ESCAPE '\\' OR u.email ILIKE :prefix ESCAPE '\\')`,
        { prefix: likePrefix(query.q) },
      );
    // @> (not = ANY) so the GIN index on tags can serve a rare tag.
    if (query.tag) qb.andWhere('m.tags @> ARRAY[:tag]::text[]', { tag: query.tag });
    const page = await paginate(qb, {
      columns: [
        {
          expression: 'm.created_at',
          kind: 'timestamptz',
          value: (m) => m.createdAt.toISOString(),
        },
        { expression: 'm.member_id', kind: 'uuid', value: (m) => m.memberId },
      ],
      direction: 'DESC',
      limit: query.limit,
      cursor: query.cursor,
    });
    return mapPage(page, (m) => this.memberView(m, m.member!));
  }

  /** Replaces the member's tags; 404 unless they are a member of this creator. */
  async setTags(creatorId: string, memberId: string, tags: string[]): Promise<MemberDto> {
    const result = await this.memberships.update({ creatorId, memberId }, { tags });
    if (!result.affected) throw ProblemException.notFound('No such member of yours.');
    const row = await this.memberships.findOneOrFail({
      where: { creatorId, memberId },
      relations: { member: true },
    });
    return this.memberView(row, row.member!);
  }

  /**
   * The tags `memberId` holds as a member of `creatorId`; none when not a member. Read afresh
   * every time (no cache), so a removed tag or membership hides tagged posts at once.
   */
  async tagsHeldBy(creatorId: string, memberId: string): Promise<string[]> {
    const row = await this.memberships.findOne({
      where: { creatorId, memberId },
      select: { creatorId: true, memberId: true, tags: true },
    });
    return row?.tags ?? [];
  }

  /** An unknown creator is the caller's bad input (the issue asks for 400 naming creatorId). */
  private async requireCreator(creatorId: string): Promise<void> {
    if (!(await this.users.existsBy({ id: creatorId })))
      throw ProblemException.validation([
        { field: 'creatorId', message: 'is not a known creator' },
      ]);
  }

  private memberView(m: MembershipEntity, user: UserEntity): MemberDto {
    return {
      memberId: m.memberId,
      displayName: user.displayName,
      email: user.email,
      tags: m.tags,
      joinedAt: m.createdAt.toISOString(),
    };
  }
}
