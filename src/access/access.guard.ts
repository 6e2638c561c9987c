import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ProblemException } from '../common/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { SESSION_COOKIE, SessionsService } from '../modules/account/sessions/sessions.service.js';
import { ACCESS_METADATA, type AccessRule } from './access-kinds.js';
import { AuditService } from './audit/audit.service.js';
import { isWellFormedPat, patDisplayPrefix } from './pat-format.js';
import { authenticatePat, PatStrategy } from './pat.strategy.js';
import { type AuthenticatedRequest, originOf, type Principal } from './principal.js';
import { RateLimiter } from './rate-limiter.js';
import { missingScopes, type Scope } from './scopes.js';
import { WebhookVerifierRegistry } from './webhook-verifiers.js';
import { TokensService } from '../modules/account/tokens/tokens.service.js';

const REALM = 'GetPaidX';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
const EXPIRY_WARNING_MS = 30 * 24 * 3600 * 1000;

/** What the request presented, before anything is decided. */
type Identification =
  | { outcome: 'none' }
  | { outcome: 'principal'; principal: Principal }
  | { outcome: 'invalid_token'; presented: string }
  | { outcome: 'stale_session' };

/**
 * The one global guard. It runs before any pipe or handler, so a refused request does no work.
 * Order: identify the caller (bearer token decides over a cookie), count the request against the
 * caller's rate limit, then authorise against the route's declared access kind.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly internalDigest: Buffer | undefined;

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly rateLimiter: RateLimiter,
    private readonly audit: AuditService,
    private readonly verifiers: WebhookVerifierRegistry,
    private readonly patStrategy: PatStrategy,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.internalDigest = config.internalApiToken ? sha256(config.internalApiToken) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Unreachable for app routes (RouteDeclarationCheck refuses to boot); deny, never allow.
    if (!rule) throw ProblemException.forbidden('This route declares no access kind.');
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const res = http.getResponse<Response>();

    switch (rule.kind) {
      case 'webhook-ingress':
        return this.admitWebhook(rule.verifier, req, res);
      case 'internal':
        return this.admitInternal(req);
      case 'public':
      case 'user':
      case 'browser-only':
      case 'admin-only':
        break;
    }

    const identification = await this.identify(req);
    await this.countRequest(identification, req, res);

    if (rule.kind === 'public') {
      // Public routes never fail on credentials; a valid caller is still known (e.g. the catalog
      // shows admins more).
      if (identification.outcome === 'principal') req.principal = identification.principal;
      return true;
    }

    const principal = this.requirePrincipal(identification, req);
    if (principal.kind === 'internal') {
      throw ProblemException.forbidden(
        'The service credential is accepted on internal routes only.',
      );
    }
    if (principal.kind === 'pat')
      this.setTokenHeaders(res, principal, rule.kind === 'user' ? rule.scopes : []);

    switch (rule.kind) {
      case 'user':
        if (principal.kind === 'pat') this.requireScopes(principal, rule.scopes, req);
        break;
      case 'browser-only':
        if (principal.kind === 'pat') this.refuseSessionRequired(principal, req);
        break;
      case 'admin-only':
        if (principal.kind === 'pat') this.refuseSessionRequired(principal, req);
        if (!principal.user.isAdmin) {
          this.auditDenied(req, principal, 'admin_required');
          throw new ProblemException({
            code: 'admin_required',
            detail: 'This route is for admins.',
          });
        }
        break;
    }
    if (principal.kind === 'session' && UNSAFE_METHODS.has(req.method)) {
      const presented = req.headers['x-csrf-token'];
      if (
        !this.sessions.csrfMatches(
          principal.csrfToken,
          typeof presented === 'string' ? presented : undefined,
        )
      ) {
        this.auditDenied(req, principal, 'csrf_failed');
        throw new ProblemException({
          code: 'csrf_failed',
          detail:
            'Send the X-CSRF-Token header from GET /api/auth/session with cookie-authenticated writes.',
        });
      }
    }
    req.principal = principal;
    if (principal.kind === 'pat') this.tokens.noteUse(principal.token.id, req.ip ?? null);
    return true;
  }

  private async identify(req: AuthenticatedRequest): Promise<Identification> {
    const authorization = req.headers.authorization;
    if (typeof authorization === 'string' && authorization.length > 0) {
      // A bearer token decides, even when a session cookie is present too.
      const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? authorization;
      const verified = /^Bearer\s/i.test(authorization)
        ? await authenticatePat(this.patStrategy, req)
        : null;
      if (!verified) return { outcome: 'invalid_token', presented };
      return {
        outcome: 'principal',
        principal: { kind: 'pat', user: verified.user, token: verified.token },
      };
    }
    const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.[
      SESSION_COOKIE
    ];
    if (cookie) {
      const session = await this.sessions.resolve(cookie);
      if (!session) return { outcome: 'stale_session' };
      return {
        outcome: 'principal',
        principal: {
          kind: 'session',
          user: session.user,
          sessionId: session.sessionId,
          csrfToken: session.csrfToken,
        },
      };
    }
    if (req.headers[INTERNAL_TOKEN_HEADER] !== undefined && this.internalCredentialValid(req)) {
      return { outcome: 'principal', principal: { kind: 'internal' } };
    }
    return { outcome: 'none' };
  }

  private async countRequest(
    identification: Identification,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<void> {
    if (identification.outcome === 'principal' && identification.principal.kind !== 'internal') {
      const p = identification.principal;
      const key = p.kind === 'pat' ? `token:${p.token.id}` : `user:${p.user.id}`;
      await this.rateLimiter.hit(this.rateLimiter.authenticated, key, res);
    } else if (identification.outcome !== 'principal') {
      await this.rateLimiter.hit(this.rateLimiter.anonymous, `ip:${req.ip ?? 'unknown'}`, res);
    }
  }

  private requirePrincipal(identification: Identification, req: AuthenticatedRequest): Principal {
    switch (identification.outcome) {
      case 'principal':
        return identification.principal;
      case 'invalid_token': {
        const wellFormed = isWellFormedPat(identification.presented);
        if (wellFormed) {
          // A well-formed token that is unknown, expired or revoked is worth an audit row;
          // random garbage is not (and is rate limited per IP).
          this.audit.recordInBackground({
            action: 'access.denied',
            origin: originOf(req),
            details: {
              reason: 'invalid_token',
              tokenPrefix: patDisplayPrefix(identification.presented),
              route: routeOf(req),
            },
          });
        }
        throw new ProblemException({
          code: 'invalid_token',
          detail: wellFormed
            ? 'The token is unknown, expired or revoked.'
            : 'The bearer token is malformed: personal access tokens look like gpx_pat_ followed by 38 letters and digits.',
          headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
        });
      }
      case 'stale_session':
      case 'none':
        throw new ProblemException({
          code: 'unauthenticated',
          detail:
            identification.outcome === 'stale_session'
              ? 'The session has ended; sign in again.'
              : 'Sign in, or send Authorization: Bearer gpx_pat_… with a personal access token.',
          headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
        });
    }
  }

  private requireScopes(
    principal: Extract<Principal, { kind: 'pat' }>,
    required: Scope[],
    req: AuthenticatedRequest,
  ): void {
    const missing = missingScopes(principal.token.scopes, required);
    if (missing.length === 0) return;
    this.auditDenied(req, principal, 'insufficient_scope', {
      requiredScopes: required,
      missingScopes: missing,
    });
    throw new ProblemException({
      code: 'insufficient_scope',
      detail: `This token lacks ${missing.join(', ')}. Create a token with the scopes this route needs.`,
      extensions: { requiredScopes: required, grantedScopes: principal.token.scopes },
      headers: {
        'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${required.join(' ')}"`,
        'X-Accepted-Scopes': required.join(', '),
      },
    });
  }

  private refuseSessionRequired(
    principal: Extract<Principal, { kind: 'pat' }>,
    req: AuthenticatedRequest,
  ): never {
    this.auditDenied(req, principal, 'session_required');
    throw new ProblemException({
      code: 'session_required',
      detail: 'This route needs a signed-in browser session; personal access tokens cannot use it.',
    });
  }

  private async admitWebhook(
    verifierName: string,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<boolean> {
    await this.rateLimiter.hit(
      this.rateLimiter.anonymous,
      `webhook:${verifierName}:${req.ip ?? 'unknown'}`,
      res,
    );
    const verifier = this.verifiers.get(verifierName);
    if (!verifier || !(await verifier(req))) {
      throw new ProblemException({
        code: 'invalid_signature',
        detail: 'The request signature is missing or does not verify.',
      });
    }
    return true;
  }

  private admitInternal(req: AuthenticatedRequest): true {
    if (!this.internalDigest) {
      throw ProblemException.forbidden(
        'Internal routes are closed: no service credential is configured.',
      );
    }
    if (req.headers[INTERNAL_TOKEN_HEADER] === undefined) {
      if (req.headers.authorization || req.cookies?.[SESSION_COOKIE]) {
        throw ProblemException.forbidden(
          'Internal routes take the service credential only, never a token or a session.',
        );
      }
      throw new ProblemException({
        code: 'unauthenticated',
        detail: 'Send the service credential in X-Internal-Token.',
      });
    }
    if (!this.internalCredentialValid(req)) {
      throw new ProblemException({
        code: 'unauthenticated',
        detail: 'The service credential is not valid.',
      });
    }
    req.principal = { kind: 'internal' };
    return true;
  }

  private internalCredentialValid(req: AuthenticatedRequest): boolean {
    const presented = req.headers[INTERNAL_TOKEN_HEADER];
    if (!this.internalDigest || typeof presented !== 'string') return false;
    return timingSafeEqual(sha256(presented), this.internalDigest);
  }

  private setTokenHeaders(
    res: Response,
    principal: Extract<Principal, { kind: 'pat' }>,
    accepted: Scope[],
  ): void {
    res.setHeader('X-Token-Scopes', principal.token.scopes.join(', '));
    res.setHeader('X-Accepted-Scopes', accepted.join(', '));
    const expiresAt = principal.token.expiresAt;
    if (expiresAt && expiresAt.getTime() - Date.now() <= EXPIRY_WARNING_MS) {
      res.setHeader('X-Token-Expires-At', expiresAt.toISOString());
    }
  }

  private auditDenied(
    req: AuthenticatedRequest,
    principal: Extract<Principal, { user: unknown }>,
    reason: string,
    extra: Record<string, unknown> = {},
  ): void {
    this.audit.recordInBackground({
      action: 'access.denied',
      actorUserId: principal.user.id,
      actorTokenId: principal.kind === 'pat' ? principal.token.id : null,
      origin: originOf(req),
      details: {
        reason,
        route: routeOf(req),
        ...(principal.kind === 'pat' ? { tokenPrefix: principal.token.prefix } : {}),
        ...extra,
      },
    });
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** `METHOD /route/template` (the declared path, not ids), for audit events. */
function routeOf(req: AuthenticatedRequest): string {
  const route = (req as { route?: { path?: string } }).route?.path;
  return `${req.method} ${route ?? req.path}`;
}
