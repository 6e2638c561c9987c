import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy } from 'passport-http-bearer';
import type { Request, Response } from 'express';
import { TokensService, type VerifiedToken } from '../modules/account/tokens/tokens.service.js';

export const PAT_STRATEGY = 'gpx-pat';

/** passport-http-bearer strategy: the bearer value must be a live personal access token. */
@Injectable()
export class PatStrategy extends PassportStrategy(Strategy, PAT_STRATEGY) {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  async validate(token: string): Promise<VerifiedToken | false> {
    return (await this.tokens.verify(token)) ?? false;
  }
}

const VERIFIED_PROPERTY = 'gpxVerifiedToken';
type WithVerified = Request & { [VERIFIED_PROPERTY]?: VerifiedToken };

/**
 * Built once: passport sets `req.gpxVerifiedToken` on success and passes an AuthenticationError
 * to `next` on failure (instead of answering itself), so the guard keeps the error contract.
 */
let middleware: ((req: Request, res: Response, next: (err?: unknown) => void) => void) | undefined;

/** Runs the PAT strategy for one request: the verified token, or null when it is not usable. */
export function authenticatePat(req: Request, res: Response): Promise<VerifiedToken | null> {
  middleware ??= passport.authenticate(PAT_STRATEGY, {
    session: false,
    failWithError: true,
    assignProperty: VERIFIED_PROPERTY,
  }) as typeof middleware;
  return new Promise((resolve, reject) => {
    middleware!(req, res, (err?: unknown) => {
      if (!err) return resolve((req as WithVerified)[VERIFIED_PROPERTY] ?? null);
      // A refused token is an AuthenticationError; anything else (the database is down) is not.
      if (err instanceof Error && err.name === 'AuthenticationError') return resolve(null);
      reject(err instanceof Error ? err : new Error('PAT verification failed'));
    });
  });
}
