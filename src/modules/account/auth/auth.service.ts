import { Injectable } from '@nestjs/common';
import { AuditService } from '../../../access/audit/audit.service.js';
import type { RequestOrigin } from '../../../access/principal.js';
import { RateLimiter } from '../../../access/rate-limiter.js';
import { ProblemException } from '../../../common/index.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { normaliseEmail, toUserView, UsersService, type UserView } from '../users/users.service.js';

/** Sign-in attempts per 15 minutes: per email (guessing one account) and per IP (spraying many). */
const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const LOGIN_PER_EMAIL = { name: 'login-email', limit: 10, windowMs: LOGIN_WINDOW_MS };
const LOGIN_PER_IP = { name: 'login-ip', limit: 50, windowMs: LOGIN_WINDOW_MS };

export interface SignedIn {
  user: UserView;
  csrfToken: string;
  cookieValue: string;
  expiresAt: Date;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async signup(
    input: { email: string; password: string; displayName: string },
    origin: RequestOrigin,
  ): Promise<SignedIn> {
    const user = await this.users.create(input);
    await this.audit.record({ action: 'auth.signup', actorUserId: user.id, origin });
    const session = await this.sessions.create(user.id, origin);
    return { user: toUserView(user), ...session };
  }

  async login(
    input: { email: string; password: string },
    origin: RequestOrigin,
  ): Promise<SignedIn> {
    const email = normaliseEmail(input.email);
    await this.rateLimiter.hit(LOGIN_PER_IP, origin.ip ?? 'unknown');
    await this.rateLimiter.hit(LOGIN_PER_EMAIL, email);
    const user = await this.users.verifyCredentials(email, input.password);
    if (!user) {
      await this.audit.record({ action: 'auth.login_failed', origin, details: { email } });
      throw new ProblemException({
        code: 'invalid_credentials',
        detail: 'The email or password is wrong.',
      });
    }
    await this.audit.record({ action: 'auth.login', actorUserId: user.id, origin });
    const session = await this.sessions.create(user.id, origin);
    return { user: toUserView(user), ...session };
  }

  async logout(sessionId: string, userId: string, origin: RequestOrigin): Promise<void> {
    await this.sessions.revoke(sessionId);
    await this.audit.record({ action: 'auth.logout', actorUserId: userId, origin });
  }

  async currentUser(userId: string): Promise<UserView> {
    const user = await this.users.findById(userId);
    if (!user) throw ProblemException.notFound('No such user.');
    return toUserView(user);
  }
}
