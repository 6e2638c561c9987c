import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { catchError, type Observable, throwError } from 'rxjs';
import { ProblemException } from '../common/index.js';
import { AuditService } from './audit/audit.service.js';
import { type AuthenticatedRequest, originOf } from './principal.js';

/**
 * Resource pinning (issue 21): a token pinned to selected posts acts only on those posts and on
 * what hangs off them (workspace sessions, runs, bindings, artifacts, replies). Services already
 * check "is this yours?" with the caller's user id; they ask this one helper as well, so pinning
 * lives where ownership does and not in per-route code.
 *
 * The pin travels with the request through AsyncLocalStorage (set by the global interceptor
 * below, after the guard admitted the caller), because the services take user ids, not
 * principals. Outside a request (background runs, webhooks, schedules) nothing is pinned.
 */
interface PinContext {
  readonly posts: ReadonlySet<string>;
  /** What the pin refused during this request (post ids, or an act), for the audit row. */
  readonly refused: string[];
}
const pinStore = new AsyncLocalStorage<PinContext>();

/** The OpenAPI extension a pinning-aware operation carries; the catalog reads it. */
export const RESOURCE_PINNING_EXTENSION = 'x-gpx-resource-pinning';

/**
 * Marks a route (or every route of a controller) whose service checks the token's resource pin:
 * posts outside it answer 404, lists leave them out. The catalog publishes it per endpoint
 * (`honoursResourcePinning`) and OpenAPI as `x-gpx-resource-pinning`, from this one declaration.
 */
export const HonoursResourcePinning = () => ApiExtension(RESOURCE_PINNING_EXTENSION, true);

export const TokenResources = {
  /** The pinned post ids of the calling token, or null when the caller is not pinned. */
  pinnedPosts(): ReadonlySet<string> | null {
    return pinStore.getStore()?.posts ?? null;
  },

  /** Whether the calling token may act on this post (always, when it is not pinned). */
  allowsPost(postId: string | null | undefined): boolean {
    const pin = pinStore.getStore();
    // Ids are stored lower-case; a path may spell a UUID in upper case.
    return !pin || (typeof postId === 'string' && pin.posts.has(postId.toLowerCase()));
  },

  /**
   * 404 for a post outside the caller's pin, worded as the caller's own "no such …" answer, so
   * a pinned token cannot tell a foreign post from an absent one.
   */
  assertPost(postId: string | null | undefined, notFound = 'No such post.'): void {
    if (!TokenResources.allowsPost(postId)) {
      TokenResources.noteRefused(postId ?? 'unknown');
      throw ProblemException.notFound(notFound);
    }
  },

  /**
   * Records that the pin (not ownership) is why this request is about to be refused, so the
   * refusal is audited like the guard's, while the answer stays an ordinary 404.
   */
  noteRefused(what: string): void {
    pinStore.getStore()?.refused.push(what);
  },

  /** 403 resource_not_allowed for acts that would reach beyond the pin (e.g. a new post). */
  assertUnpinned(what: string): void {
    if (pinStore.getStore()) {
      TokenResources.noteRefused(what);
      throw new ProblemException({
        code: 'resource_not_allowed',
        detail: `This token is pinned to selected posts and cannot ${what}.`,
      });
    }
  },

  /**
   * Narrows a list query to the pinned posts (a no-op when not pinned), so lists of sessions,
   * runs or rules leave out what the token may not touch. `column` is the post id column.
   */
  narrowList<Q extends { andWhere(sql: string, params: Record<string, unknown>): Q }>(
    qb: Q,
    column: string,
  ): Q {
    const pin = pinStore.getStore();
    return pin ? qb.andWhere(`${column} = ANY(:pinnedPosts)`, { pinnedPosts: [...pin.posts] }) : qb;
  },
};

/**
 * Carries the guard-admitted token's pin into the handler and the services it calls. Nest binds
 * the handler to the async context in which `next.handle()` is called, so services see it.
 */
@Injectable()
export class TokenResourcesInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = req.principal;
    if (principal?.kind !== 'pat' || !principal.token.resources) return next.handle();
    const pin: PinContext = { posts: new Set(principal.token.resources.posts), refused: [] };
    return pinStore
      .run(pin, () => next.handle())
      .pipe(
        catchError((error: unknown) => {
          // A refusal the pin caused (404 as if absent, or resource_not_allowed) is audited as
          // access.denied, as the guard's refusals are; the answer itself is unchanged.
          if (pin.refused.length && error instanceof ProblemException)
            this.audit.recordInBackground({
              action: 'access.denied',
              actorUserId: principal.user.id,
              actorTokenId: principal.token.id,
              origin: originOf(req),
              details: {
                reason: 'resource_not_pinned',
                route: `${req.method} ${(req as { route?: { path?: string } }).route?.path ?? req.path}`,
                tokenPrefix: principal.token.prefix,
                answered: error.code,
                refused: [...new Set(pin.refused)],
              },
            });
          return throwError(() => error);
        }),
      );
  }
}
