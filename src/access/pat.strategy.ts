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

/** Runs the PAT strategy for one request: the verified token, or null when it is not usable. */
export function authenticatePat(req: Request, res: Response): Promise<VerifiedToken | null> {
  return new Promise((resolve, reject) => {
    const authenticate = passport.authenticate(
      PAT_STRATEGY,
      { session: false },
      (err: unknown, verified: VerifiedToken | false | undefined) => {
        if (err) reject(err instanceof Error ? err : new Error('PAT verification failed'));
        else resolve(verified || null);
      },
    ) as (req: Request, res: Response, next: (err?: unknown) => void) => void;
    authenticate(req, res, (err?: unknown) =>
      err
        ? reject(err instanceof Error ? err : new Error('PAT verification failed'))
        : resolve(null),
    );
  });
}
