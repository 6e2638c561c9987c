import { Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { PostsService } from '../../content/index.js';
import { ReferralPathsService } from '../referral-paths/referral-paths.service.js';
import { postPageUrl, withReferral } from '../share-urls.js';

/** Posts' reference ids: 10 base62 characters (see PostsService). */
const REFERENCE_ID = /^[A-Za-z0-9]{10}$/;

@Injectable()
export class RedirectsService {
  constructor(
    private readonly paths: ReferralPathsService,
    private readonly posts: PostsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Counts the visit and answers the landing URL with the code kept as `?ref=`. The landing page
   * decides what the visitor may see (a post may since have become a draft or members-only).
   */
  async followReferral(code: string): Promise<{ code: string; location: string }> {
    const visit = await this.paths.visit(code);
    return { code: visit.code, location: withReferral(visit.targetUrl, visit.code) };
  }

  /** The page of a post anyone may see; 404 for an unknown reference id or a post that is not public. */
  async postLocation(referenceId: string): Promise<string> {
    const postId = REFERENCE_ID.test(referenceId)
      ? await this.posts.publicPostIdByReference(referenceId)
      : null;
    if (!postId) throw ProblemException.notFound('No such post link.');
    return postPageUrl(this.config.publicBaseUrl, postId);
  }
}
