import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import {
  isUniqueViolation,
  type Page,
  type PageRequest,
  pageByCreation,
  ProblemException,
  randomBase62,
} from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { PostsService } from '../../content/index.js';
import { postPageUrl, profilePageUrl, referralLinkUrl } from '../share-urls.js';
import { ReferralPathEntity } from './referral-path.entity.js';
import {
  type CreateReferralPathDto,
  REFERRAL_CODE,
  type ReferralPathDto,
} from './referral-paths.dto.js';

const GENERATED_CODE_LENGTH = 8;

/** Where a followed referral link lands, and the code to keep on the way. */
export interface ReferralVisit {
  code: string;
  targetUrl: string;
}

/** Who a sale through a referral path owes a share to (ReferralPathsService.attributionFor). */
export interface ReferralAttribution {
  referralPathId: string;
  /** The path's owner. */
  referrerId: string;
  /** Their share of the sale in basis points (0–10000). */
  coSellerShareBps: number;
}

@Injectable()
export class ReferralPathsService {
  constructor(
    @InjectRepository(ReferralPathEntity) private readonly paths: Repository<ReferralPathEntity>,
    private readonly posts: PostsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(ownerId: string, input: CreateReferralPathDto): Promise<ReferralPathDto> {
    const { postId, profile } = input.target;
    if ((postId !== undefined) === (profile === true) || profile === false)
      throw ProblemException.validation([
        { field: 'target', message: 'must be exactly one of {postId} or {profile: true}' },
      ]);
    if (postId !== undefined && !(await this.posts.isVisibleTo(postId, ownerId)))
      throw ProblemException.validation([
        { field: 'target.postId', message: 'is not a post you can see' },
      ]);
    for (let attempt = 0; ; attempt++) {
      const code = input.code ?? randomBase62(GENERATED_CODE_LENGTH);
      try {
        const saved = await this.paths.save(
          this.paths.create({
            ownerId,
            code,
            postId: postId ?? null,
            coSellerShareBps: input.coSellerShareBps ?? 0,
          }),
        );
        return this.view(saved);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (input.code !== undefined)
          throw ProblemException.conflict(
            `The referral code "${input.code}" is taken (codes are unique ignoring case); choose another.`,
          );
        // A generated code collided (about 1 in 62^8 / links): draw again.
        if (attempt >= 2) throw error;
      }
    }
  }

  list(ownerId: string, page: PageRequest): Promise<Page<ReferralPathDto>> {
    const qb = this.paths.createQueryBuilder('rp').where('rp.owner_id = :ownerId', { ownerId });
    return pageByCreation(qb, page, (row) => this.view(row));
  }

  /** Removes the path and, by cascade, its QR generations. Someone else's path is a 404. */
  async delete(ownerId: string, id: string): Promise<void> {
    const result = await this.paths.delete({ id, ownerId });
    if (!result.affected) throw ProblemException.notFound('No such referral path.');
  }

  /** The caller's own path, or null (someone else's path is as unknown as a missing one). */
  async findOwn(ownerId: string, id: string): Promise<ReferralPathDto | null> {
    const row = await this.paths.findOneBy({ id, ownerId });
    return row ? this.view(row) : null;
  }

  /**
   * Counts a visit of `/go/{code}` and answers where it lands; 404 for an unknown code. One
   * UPDATE … RETURNING: concurrent visits are all counted, without a read-modify-write race.
   */
  async visit(code: string): Promise<ReferralVisit> {
    if (!REFERRAL_CODE.test(code)) throw ProblemException.notFound('No such referral link.');
    // node-postgres through TypeORM answers an UPDATE … RETURNING as [rows, affected].
    const [rows] = await this.paths.query<
      [{ code: string; owner_id: string; post_id: string | null }[], number]
    >(
      `UPDATE referral_paths SET visits = visits + 1 WHERE lower(code) = lower($1)
       RETURNING code, owner_id, post_id`,
      [code],
    );
    const row = rows[0];
    if (!row) throw ProblemException.notFound('No such referral link.');
    return { code: row.code, targetUrl: this.targetUrl(row.owner_id, row.post_id) };
  }

  /**
   * The referral path a sale of `postId` came through, for Billing: the path with this code
   * (ignoring case) that targets that post; null when there is none.
   */
  async attributionFor(code: string, postId: string): Promise<ReferralAttribution | null> {
    if (!REFERRAL_CODE.test(code)) return null;
    const row = await this.paths
      .createQueryBuilder('path')
      .where('lower(path.code) = lower(:code) AND path.post_id = :postId', { code, postId })
      .getOne();
    return row
      ? { referralPathId: row.id, referrerId: row.ownerId, coSellerShareBps: row.coSellerShareBps }
      : null;
  }

  private targetUrl(ownerId: string, postId: string | null): string {
    const base = this.config.publicBaseUrl;
    return postId ? postPageUrl(base, postId) : profilePageUrl(base, ownerId);
  }

  private view(row: ReferralPathEntity): ReferralPathDto {
    return {
      id: row.id,
      code: row.code,
      url: referralLinkUrl(this.config.publicBaseUrl, row.code),
      target: row.postId ? { postId: row.postId } : { profile: true },
      targetUrl: this.targetUrl(row.ownerId, row.postId),
      coSellerShareBps: row.coSellerShareBps,
      visits: row.visits,
      createdAt: row.createdAt.toISOString(),
    };
  }
}
