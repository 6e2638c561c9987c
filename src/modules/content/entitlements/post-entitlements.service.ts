import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { PostEntitlementEntity } from './post-entitlement.entity.js';

export interface EntitlementGrant {
  postId: string;
  userId: string;
  /** Null: for good. A date: readable until then. */
  until: Date | null;
}

/**
 * The only writer of post_entitlements, exported for Billing. Both writes take the caller's
 * transaction, so an entitlement commits or rolls back with the Stripe event that caused it.
 */
@Injectable()
export class PostEntitlements {
  constructor(
    @InjectRepository(PostEntitlementEntity)
    private readonly entitlements: Repository<PostEntitlementEntity>,
  ) {}

  /**
   * Grants or extends access. Never shortens it: a for-good entitlement stays for good and a later
   * `until` wins, so a late or repeated grant cannot take access away.
   */
  async grant(manager: EntityManager, grant: EntitlementGrant): Promise<void> {
    await manager.query(
      `INSERT INTO post_entitlements (post_id, user_id, until) VALUES ($1, $2, $3)
       ON CONFLICT (post_id, user_id) DO UPDATE SET
         until = CASE WHEN post_entitlements.until IS NULL OR EXCLUDED.until IS NULL THEN NULL
                      ELSE greatest(post_entitlements.until, EXCLUDED.until) END,
         updated_at = now()`,
      [grant.postId, grant.userId, grant.until],
    );
  }

  /**
   * Ends a time-limited entitlement at `at` (a subscription that ended). A for-good one is left
   * alone: it did not come from the subscription.
   */
  async endAt(
    manager: EntityManager,
    ref: { postId: string; userId: string; at: Date },
  ): Promise<void> {
    await manager.query(
      `UPDATE post_entitlements SET until = least(until, $3), updated_at = now()
        WHERE post_id = $1 AND user_id = $2 AND until IS NOT NULL`,
      [ref.postId, ref.userId, ref.at],
    );
  }

  /** Whether the user may read the post's priced content now (the author is not asked here). */
  async isEntitled(postId: string, userId: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.entitlements.manager).query(
      `SELECT 1 FROM post_entitlements WHERE post_id = $1 AND user_id = $2
         AND (until IS NULL OR until > now())`,
      [postId, userId],
    );
    return rows.length > 0;
  }
}
