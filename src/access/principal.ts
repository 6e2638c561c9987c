import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Scope } from './scopes.js';
import type { TokenResources } from './token-constraints.js';

export interface PrincipalUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly isAdmin: boolean;
}

export interface TokenIdentity {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  /** CIDRs the token may be used from; null: anywhere (token-constraints.ts). */
  readonly allowedIps: readonly string[] | null;
  /** What the token is pinned to; null: everything its owner has. */
  readonly resources: TokenResources | null;
  /** Set on a child token: the token that minted it (a child cannot mint children). */
  readonly parentId: string | null;
}

/** Who is calling, as established by the access guard. */
export type Principal =
  | {
      readonly kind: 'session';
      readonly user: PrincipalUser;
      readonly sessionId: string;
      readonly csrfToken: string;
    }
  | { readonly kind: 'pat'; readonly user: PrincipalUser; readonly token: TokenIdentity }
  | { readonly kind: 'internal' };

export type UserPrincipal = Extract<Principal, { user: PrincipalUser }>;

export type AuthenticatedRequest = Request & { principal?: Principal; rawBody?: Buffer };

/** Where a request came from, for audit events and `lastUsedIp`. */
export interface RequestOrigin {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export function originOf(req: Request): RequestOrigin {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
}

/** The caller as a user (session or PAT). Only on routes whose access kind guarantees one. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): UserPrincipal => {
    const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal || principal.kind === 'internal') {
      throw new Error('CurrentUser used on a route whose access kind does not guarantee a user');
    }
    return principal;
  },
);

/** The caller, if any (public routes may have none). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);

export const Origin = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestOrigin =>
  originOf(ctx.switchToHttp().getRequest<Request>()),
);
