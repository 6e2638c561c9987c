import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { type Page, pageByCreation } from '../../common/index.js';
import { BackgroundWrites } from '../../database/index.js';
import type { RequestOrigin } from '../principal.js';
import { AuditEventEntity } from './audit-event.entity.js';

export type AuditAction =
  | 'auth.signup'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.logout'
  | 'token.created'
  | 'token.revoked'
  | 'token.rotated'
  | 'token.reuse_after_rotation'
  | 'token.scopes_narrowed'
  | 'token_policy.updated'
  | 'token.leak_reported'
  | 'token.leak_report_received'
  | 'token.constraints_changed'
  | 'access.denied'
  | 'admin.granted';

export interface AuditInput {
  action: AuditAction;
  actorUserId?: string | null;
  actorTokenId?: string | null;
  origin?: RequestOrigin;
  details?: Record<string, unknown>;
}

export interface AuditEventView {
  id: string;
  action: string;
  actorUserId: string | null;
  actorTokenId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    private readonly background: BackgroundWrites,
  ) {}

  /** Pass the transaction's manager when the event belongs with other writes. */
  async record(input: AuditInput, manager: EntityManager = this.events.manager): Promise<void> {
    await manager.insert(AuditEventEntity, {
      action: input.action,
      actorUserId: input.actorUserId ?? null,
      actorTokenId: input.actorTokenId ?? null,
      ip: input.origin?.ip ?? null,
      userAgent: input.origin?.userAgent ?? null,
      // TypeORM serialises jsonb itself; its deep-partial type just can't express Record<string, unknown>.
      details: (input.details ?? {}) as never,
    });
  }

  /**
   * For events on a refusal path: the refusal must not wait for, or fail because of, the audit
   * write. A lost audit row is logged rather than turned into a 500; shutdown waits for it.
   */
  recordInBackground(input: AuditInput): void {
    this.background.run(
      () => this.record(input),
      (err) => this.logger.error({ err, action: input.action }, 'audit write failed'),
    );
  }

  async list(filter: {
    actorUserId?: string;
    action?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<AuditEventView>> {
    const qb = this.events.createQueryBuilder('e');
    if (filter.actorUserId) qb.andWhere('e.actor_user_id = :actor', { actor: filter.actorUserId });
    if (filter.action) qb.andWhere('e.action = :action', { action: filter.action });
    return pageByCreation(qb, filter, (e) => ({
      id: e.id,
      action: e.action,
      actorUserId: e.actorUserId,
      actorTokenId: e.actorTokenId,
      ip: e.ip,
      userAgent: e.userAgent,
      details: e.details,
      createdAt: e.createdAt.toISOString(),
    }));
  }
}
