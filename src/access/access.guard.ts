import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { ProblemException } from '../common/index.js';
import { decideAccess, type Refusal } from './access-decision.js';
import { ACCESS_METADATA, type AccessRule } from './access-kinds.js';
import { AuditService } from './audit/audit.service.js';
import { CredentialStore } from './credentials.js';
import type { Identification } from './identification.js';
import { IdentificationService } from './identification.service.js';
import {
  type AuthenticatedRequest,
  originOf,
  type Principal,
  type TokenIdentity,
} from './principal.js';
import { RateLimiter } from './rate-limiter.js';
import { grantsUsed, type Scope } from './scopes.js';
import { tokenExpiryHeaders } from './token-expiry-headers.js';
import { constraintsSummary } from './token-constraints.js';

/**
 * The one global guard. It runs before any pipe or handler, so a refused request does no work.
 * Order: identify the caller (bearer token decides over a cookie), count the request against the
 * caller's rate limit, then apply the pure decision for the route's declared access kind
 * (docs/architecture.md §2).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identification: IdentificationService,
    private readonly rateLimiter: RateLimiter,
    private readonly audit: AuditService,
    private readonly credentials: CredentialStore,
  ) {}

  /**
   * Each route's rule, looked up once per (controller, handler): decorator metadata never
   * changes after boot. Keyed by both, as an inherited handler can sit under another class rule.
   */
  private readonly rules = new WeakMap<object, WeakMap<object, AccessRule | null>>();
  /**
   * A verified token's header values, worked out once per verification (the credential store
   * hands back the same identity object while it holds the verification in memory).
   */
  private readonly tokenHeaderValues = new WeakMap<
    TokenIdentity,
    { scopes: string; constraints: string | null }
  >();

  /**
   * Synchronous whenever identifying and counting the caller needs no I/O (no credential, a
   * token verified moments ago, in-memory rate limits): most requests then reach the handler
   * without a promise of the guard's own. A session lookup, a token's first verification, a
   * webhook signature or Redis counters make it asynchronous; the decision is the same code.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rule = this.ruleOf(context) ?? undefined;
    // Unreachable for app routes (RouteDeclarationCheck refuses to boot); deny, never allow.
    if (!rule) throw ProblemException.forbidden('This route declares no access kind.');
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const res = http.getResponse<Response>();
    const caller = this.identifyAndCount(rule, req, res);
    return caller instanceof Promise
      ? caller.then((c) => this.decide(rule, c, req, res))
      : this.decide(rule, caller, req, res);
  }

  /** Admits the identified caller or throws the refusal as problem+json. */
  private decide(
    rule: AccessRule,
    caller: Identification,
    req: AuthenticatedRequest,
    res: Response,
  ): true {
    const principal = caller.outcome === 'principal' ? caller.principal : undefined;
    // Routes for a user (session or token), as opposed to public, internal and webhook routes.
    const userRoute =
      rule.kind === 'user' ||
      rule.kind === 'browser-only' ||
      rule.kind === 'token-only' ||
      rule.kind === 'admin-only';
    // Token callers learn their scopes even when refused (e.g. insufficient_scope).
    if (userRoute && principal?.kind === 'pat') {
      this.setTokenHeaders(res, principal, rule.kind === 'user' ? rule.scopes : []);
    }
    // Read once: Express works req.ip out of X-Forwarded-For and the proxy settings on each read.
    const ip = req.ip ?? null;
    const refusal = decideAccess(rule, caller, req.method, ip);
    if (refusal) {
      if (refusal.audit) this.auditRefusal(req, caller, refusal.audit);
      const { code, detail, headers, extensions } = refusal;
      throw new ProblemException({ code, detail, headers, extensions });
    }
    // Public routes never fail on credentials; a valid caller is still known (e.g. the catalog
    // shows admins more).
    if (principal) req.principal = principal;
    if (userRoute && principal?.kind === 'pat') {
      this.credentials.noteTokenUse(
        principal.token.id,
        ip,
        rule.kind === 'user' ? grantsUsed(principal.token.scopes, rule.scopes) : [],
      );
    }
    return true;
  }

  private ruleOf(context: ExecutionContext): AccessRule | null {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.rules.get(controller);
    if (!byHandler) this.rules.set(controller, (byHandler = new WeakMap()));
    let rule = byHandler.get(handler);
    if (rule === undefined) {
      rule =
        this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
          handler,
          controller,
        ]) ?? null;
      byHandler.set(handler, rule);
    }
    return rule;
  }

  /** Identifies the caller as the route's access kind requires, counting it where it counts. */
  private identifyAndCount(
    rule: AccessRule,
    req: AuthenticatedRequest,
    res: Response,
  ): Identification | Promise<Identification> {
    switch (rule.kind) {
      case 'webhook-ingress':
        return this.identifyWebhook(rule.verifier, req, res);
      case 'internal':
        return this.identification.identifyService(req);
      case 'public':
      case 'user':
      case 'browser-only':
      case 'token-only':
      case 'admin-only': {
        const caller = this.identification.identify(req);
        if (caller instanceof Promise) return caller.then((c) => this.counted(c, req, res));
        return this.counted(caller, req, res);
      }
    }
  }

  private async identifyWebhook(
    verifier: string,
    req: AuthenticatedRequest,
    res: Response,
  ): Promise<Identification> {
    await this.rateLimiter.hit(
      this.rateLimiter.anonymous,
      `webhook:${verifier}:${req.ip ?? 'unknown'}`,
      res,
    );
    return this.identification.identifyWebhook(verifier, req);
  }

  /** Counts the request against the caller's rate limit; the caller once it is counted. */
  private counted(
    caller: Identification,
    req: AuthenticatedRequest,
    res: Response,
  ): Identification | Promise<Identification> {
    let hit: void | Promise<void> = undefined;
    if (caller.outcome === 'principal' && caller.principal.kind !== 'internal') {
      const p = caller.principal;
      const key = p.kind === 'pat' ? `token:${p.token.id}` : `user:${p.user.id}`;
      hit = this.rateLimiter.hit(this.rateLimiter.authenticated, key, res);
    } else if (caller.outcome !== 'principal') {
      hit = this.rateLimiter.hit(this.rateLimiter.anonymous, `ip:${req.ip ?? 'unknown'}`, res);
    }
    return hit instanceof Promise ? hit.then(() => caller) : caller;
  }

  private setTokenHeaders(
    res: Response,
    principal: Extract<Principal, { kind: 'pat' }>,
    accepted: readonly Scope[],
  ): void {
    const { token } = principal;
    let values = this.tokenHeaderValues.get(token);
    if (!values) {
      values = { scopes: token.scopes.join(', '), constraints: constraintsSummary(token) };
      this.tokenHeaderValues.set(token, values);
    }
    res.setHeader('X-Token-Scopes', values.scopes);
    res.setHeader('X-Accepted-Scopes', accepted.length ? accepted.join(', ') : '');
    if (token.expiresAt)
      for (const [name, value] of Object.entries(tokenExpiryHeaders(token.expiresAt, Date.now())))
        res.setHeader(name, value);
    if (values.constraints) res.setHeader('X-Token-Constraints', values.constraints);
  }

  private auditRefusal(
    req: AuthenticatedRequest,
    caller: Identification,
    { reason, extra = {} }: NonNullable<Refusal['audit']>,
  ): void {
    const route = routeOf(req);
    const principal = caller.outcome === 'principal' ? caller.principal : undefined;
    if (!principal || principal.kind === 'internal') {
      // No caller to name (e.g. an unknown token): the row carries what was presented.
      this.audit.recordInBackground({
        action: 'access.denied',
        origin: originOf(req),
        details: { reason, ...extra, route },
      });
      return;
    }
    this.audit.recordInBackground({
      action: 'access.denied',
      actorUserId: principal.user.id,
      actorTokenId: principal.kind === 'pat' ? principal.token.id : null,
      origin: originOf(req),
      details: {
        reason,
        route,
        ...(principal.kind === 'pat' ? { tokenPrefix: principal.token.prefix } : {}),
        ...extra,
      },
    });
  }
}

/** `METHOD /route/template` (the declared path, not ids), for audit events. */
function routeOf(req: AuthenticatedRequest): string {
  const route = (req as { route?: { path?: string } }).route?.path;
  return `${req.method} ${route ?? req.path}`;
}
