import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { digestSecret } from '../../../access/pat-format.js';
import type { ResolvedSession } from '../../../access/credentials.js';
import type { RequestOrigin } from '../../../access/principal.js';
import { APP_CONFIG, type AppConfig } from '../../../config/index.js';
import { toPrincipalUser } from '../users/users.service.js';
import { SessionEntity } from './session.entity.js';

/** A session ends 30 days after sign-in, or after 7 days without use, whichever comes first. */
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600 * 1000;
export const SESSION_IDLE_MS = 7 * 24 * 3600 * 1000;
/** lastSeenAt is written at most this often per session, not on every request. */
const TOUCH_INTERVAL_MS = 60 * 1000;

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns the cookie value (shown to the browser only) and the CSRF token derived from it. */
  async create(
    userId: string,
    origin: RequestOrigin,
  ): Promise<{ cookieValue: string; csrfToken: string; expiresAt: Date }> {
    const cookieValue = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
    await this.sessions.insert({
      userId,
      secretHash: digestSecret(this.config.tokenPepper, `session:${cookieValue}`),
      lastSeenAt: now,
      expiresAt,
      revokedAt: null,
      ip: origin.ip,
      userAgent: origin.userAgent,
    });
    return { cookieValue, csrfToken: this.csrfTokenFor(cookieValue), expiresAt };
  }

  async resolve(cookieValue: string): Promise<ResolvedSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(cookieValue)) return null;
    const session = await this.sessions
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.user', 'u')
      .where('s.secret_hash = :hash', {
        hash: digestSecret(this.config.tokenPepper, `session:${cookieValue}`),
      })
      .andWhere('s.revoked_at IS NULL')
      .getOne();
    if (!session?.user) return null;
    const now = Date.now();
    if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now)
      return null;
    if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.sessions.update(session.id, { lastSeenAt: new Date(now) });
    }
    return {
      sessionId: session.id,
      user: toPrincipalUser(session.user),
      csrfToken: this.csrfTokenFor(cookieValue),
    };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.sessions.update({ id: sessionId }, { revokedAt: new Date() });
  }

  /**
   * The CSRF token is derived from the session secret, so it needs no storage, differs per
   * session, and cannot be computed by anyone who does not hold the cookie.
   */
  csrfTokenFor(cookieValue: string): string {
    return digestSecret(this.config.tokenPepper, `csrf:${cookieValue}`).slice(0, 43);
  }
}
