import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { Clock, type Page, pageByCreation, ProblemException } from '../../../common/index.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { ControllersBusyError, WorkspaceController } from '../controller/workspace-controller.js';
import { WorkspaceCredits } from '../workspace-credits.js';
import { WorkspacePosts } from '../workspace-posts.js';
import type {
  CloseAllResultDto,
  CloseAllSessionsDto,
  WorkspaceSessionDto,
  SessionListQueryDto,
  StartSessionDto,
} from './sessions.dto.js';
import { type SessionStatus, WorkspaceSessionEntity } from './workspace-session.entity.js';
import { TokenResources } from '../../../access/token-resources.js';

@Injectable()
export class SessionsService {
  private readonly log = new Logger('WorkspaceSessions');

  constructor(
    @InjectRepository(WorkspaceSessionEntity)
    private readonly sessions: Repository<WorkspaceSessionEntity>,
    private readonly db: DataSource,
    private readonly posts: WorkspacePosts,
    private readonly controller: WorkspaceController,
    private readonly credits: WorkspaceCredits,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Resumes the caller's active session of the same post and mode, or starts one. Per user, the
   * resume-or-start decision runs under an advisory lock, so concurrent starts cannot both pass
   * the concurrency limit or start two sessions that should have been one.
   */
  async start(callerId: string, input: StartSessionDto): Promise<WorkspaceSessionDto> {
    await this.posts.ownPost(input.postId, callerId);
    const { sessionLimit, sessionTtlSeconds, sessionIdleSeconds } = this.config.workspace;
    // Read before the transaction: Billing answers on its own connection, and the embedded
    // database has only one, which the transaction below holds.
    const hasCredits = await this.credits.hasCredits(callerId);
    const outcome = await this.db.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `workspace-sessions:${callerId}`,
      ]);
      const repo = manager.getRepository(WorkspaceSessionEntity);
      const now = this.clock.now();
      const idleUntil = (expiresAt: Date) =>
        new Date(Math.min(expiresAt.getTime(), now.getTime() + sessionIdleSeconds * 1000));
      const active = await repo
        .createQueryBuilder('s')
        .where('s.user_id = :callerId', { callerId })
        .andWhere(this.activeSql('s'), { now })
        .getMany();
      const same = active.find((s) => s.postId === input.postId && s.mode === input.mode);
      if (same) {
        same.idleExpiresAt = idleUntil(same.expiresAt);
        await repo.update({ id: same.id }, { idleExpiresAt: same.idleExpiresAt });
        return { session: same, resumed: true };
      }
      if (active.length >= sessionLimit)
        throw new ProblemException({
          code: 'concurrency_limit',
          detail: `You already hold ${active.length} active workspace sessions, the most allowed (${sessionLimit}). Close one, then retry.`,
          extensions: { limit: sessionLimit, active: active.length },
        });
      if (!hasCredits)
        throw new ProblemException({
          code: 'credits_required',
          detail: 'Your AI credit balance is exhausted beyond its buffer. Top up, then retry.',
        });
      const id = randomUUID();
      const expiresAt = new Date(now.getTime() + sessionTtlSeconds * 1000);
      let url: string;
      try {
        ({ url } = await this.controller.startSession({
          sessionId: id,
          postId: input.postId,
          userId: callerId,
          mode: input.mode,
          expiresAt,
        }));
      } catch (err) {
        if (err instanceof ControllersBusyError)
          throw new ProblemException({
            code: 'controllers_busy',
            detail:
              'No workspace controller can take a new session right now; nothing was started.',
            headers: { 'Retry-After': String(err.retryAfterSeconds) },
          });
        this.log.warn({ err }, 'workspace controller did not start a session');
        throw new ProblemException({
          code: 'unavailable',
          detail:
            'The workspace controller could not be reached; nothing was started. Retry later.',
          headers: { 'Retry-After': '30' },
        });
      }
      const session = repo.create({
        id,
        postId: input.postId,
        userId: callerId,
        mode: input.mode,
        status: 'ACTIVE',
        controller: this.controller.label,
        url,
        expiresAt,
        idleExpiresAt: idleUntil(expiresAt),
        closedAt: null,
        createdAt: now,
      });
      await repo.insert(session);
      return { session, resumed: false };
    });
    return this.view(outcome.session, outcome.resumed);
  }

  async list(callerId: string, query: SessionListQueryDto): Promise<Page<WorkspaceSessionDto>> {
    if (query.postId) await this.posts.ownPost(query.postId, callerId);
    const now = this.clock.now();
    const qb = this.sessions.createQueryBuilder('s').where('s.user_id = :callerId', { callerId });
    if (query.postId) qb.andWhere('s.post_id = :postId', { postId: query.postId });
    TokenResources.narrowList(qb, 's.post_id');
    if (query.status === 'ACTIVE') qb.andWhere(this.activeSql('s'), { now });
    if (query.status === 'CLOSED') qb.andWhere(`s.status = 'CLOSED'`);
    if (query.status === 'EXPIRED')
      qb.andWhere(`s.status <> 'CLOSED' AND NOT (${this.activeSql('s')})`, { now });
    return pageByCreation(qb, query, (row) => this.view(row, false));
  }

  async close(callerId: string, sessionId: string): Promise<WorkspaceSessionDto> {
    const session = await this.sessions.findOneBy({ id: sessionId, userId: callerId });
    if (!session) throw ProblemException.notFound('No such session.');
    TokenResources.assertPost(session.postId, 'No such session.');
    if (this.statusOf(session) !== 'ACTIVE') return this.view(session, false);
    try {
      await this.controller.stopSession(session.id);
    } catch (err) {
      this.log.warn({ sessionId, err }, 'controller did not stop the session');
      throw new ProblemException({
        code: 'unavailable',
        detail:
          'The workspace controller could not stop the session; it is still active. Retry later.',
        headers: { 'Retry-After': '30' },
      });
    }
    await this.markClosed(session);
    return this.view(session, false);
  }

  /** Closes each of the caller's active sessions (of one post, if given); reports the counts. */
  async closeAll(callerId: string, input: CloseAllSessionsDto): Promise<CloseAllResultDto> {
    if (input.postId) await this.posts.ownPost(input.postId, callerId);
    const qb = this.sessions
      .createQueryBuilder('s')
      .where('s.user_id = :callerId', { callerId })
      .andWhere(this.activeSql('s'), { now: this.clock.now() });
    if (input.postId) qb.andWhere('s.post_id = :postId', { postId: input.postId });
    TokenResources.narrowList(qb, 's.post_id');
    let closed = 0;
    let failed = 0;
    for (const session of await qb.getMany()) {
      try {
        await this.controller.stopSession(session.id);
        await this.markClosed(session);
        closed += 1;
      } catch (err) {
        this.log.warn({ sessionId: session.id, err }, 'session not stopped');
        failed += 1;
      }
    }
    return { closed, failed };
  }

  /**
   * Tells the controller about sessions that expired (TTL or idle) and marks them so; run by the
   * housekeeping loop. Returns how many it handled.
   */
  async sweepExpired(limit = 50): Promise<number> {
    const expired = await this.sessions
      .createQueryBuilder('s')
      .where(`s.status = 'ACTIVE' AND NOT (${this.activeSql('s')})`, { now: this.clock.now() })
      .limit(limit)
      .getMany();
    for (const session of expired) {
      await this.controller.stopSession(session.id).catch(() => undefined);
      await this.sessions.update({ id: session.id, status: 'ACTIVE' }, { status: 'EXPIRED' });
    }
    return expired.length;
  }

  private async markClosed(session: WorkspaceSessionEntity): Promise<void> {
    session.status = 'CLOSED';
    session.closedAt = this.clock.now();
    await this.sessions.update(
      { id: session.id },
      { status: 'CLOSED', closedAt: session.closedAt },
    );
  }

  /** Stored ACTIVE and within both expiries (`:now` bound by the caller). */
  private activeSql(alias: string): string {
    return `${alias}.status = 'ACTIVE' AND ${alias}.expires_at > :now AND ${alias}.idle_expires_at > :now`;
  }

  private statusOf(s: WorkspaceSessionEntity): SessionStatus {
    if (s.status !== 'ACTIVE') return s.status;
    const now = this.clock.now();
    return s.expiresAt > now && s.idleExpiresAt > now ? 'ACTIVE' : 'EXPIRED';
  }

  private view(s: WorkspaceSessionEntity, resumed: boolean): WorkspaceSessionDto {
    return {
      id: s.id,
      postId: s.postId,
      mode: s.mode,
      status: this.statusOf(s),
      url: s.url,
      controller: s.controller,
      expiresAt: s.expiresAt.toISOString(),
      idleExpiresAt: s.idleExpiresAt.toISOString(),
      resumed,
      createdAt: s.createdAt.toISOString(),
      closedAt: s.closedAt?.toISOString() ?? null,
    };
  }
}
