import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { ProblemException } from '../common/index.js';
import type { AuthenticatedRequest } from './principal.js';

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
const pinStore = new AsyncLocalStorage<{ posts: ReadonlySet<string> }>();

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
    return !pin || (typeof postId === 'string' && pin.posts.has(postId));
  },

  /**
   * 404 for a post outside the caller's pin, worded as the caller's own "no such …" answer, so
   * a pinned token cannot tell a foreign post from an absent one.
   */
  assertPost(postId: string | null | undefined, notFound = 'No such post.'): void {
    if (!TokenResources.allowsPost(postId)) throw ProblemException.notFound(notFound);
  },

  /** 403 resource_not_allowed for acts that would reach beyond the pin (e.g. a new post). */
  assertUnpinned(what: string): void {
    if (pinStore.getStore())
      throw new ProblemException({
        code: 'resource_not_allowed',
        detail: `This token is pinned to selected posts and cannot ${what}.`,
      });
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

  /** Runs `fn` with the given pin (tests, and work done on behalf of a pinned caller). */
  runPinned<T>(posts: readonly string[] | null, fn: () => T): T {
    return posts ? pinStore.run({ posts: new Set(posts) }, fn) : fn();
  },
};

/**
 * Carries the guard-admitted token's pin into the handler and the services it calls. Nest binds
 * the handler to the async context in which `next.handle()` is called, so services see it.
 */
@Injectable()
export class TokenResourcesInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    const posts = principal?.kind === 'pat' ? principal.token.resources?.posts : undefined;
    return posts ? pinStore.run({ posts: new Set(posts) }, () => next.handle()) : next.handle();
  }
}
