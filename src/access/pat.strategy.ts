import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import type { Request } from 'express';
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

/** The callbacks passport gives a strategy for one attempt. */
interface StrategyAttempt {
  success(user: VerifiedToken): void;
  fail(): void;
  error(err: unknown): void;
  pass(): void;
  redirect(): void;
  authenticate(req: Request, options: object): void;
}

/**
 * Runs the passport-http-bearer strategy for one request the way passport's own middleware does
 * (a per-attempt object carrying success/fail/error), without rebuilding the middleware chain
 * on every call: this is the hot path of every token request.
 */
export function authenticatePat(
  strategy: PatStrategy,
  req: Request,
): Promise<VerifiedToken | null> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as StrategyAttempt;
    attempt.success = (user) => resolve(user);
    attempt.fail = () => resolve(null);
    attempt.pass = () => resolve(null);
    attempt.redirect = () => resolve(null);
    attempt.error = (err) =>
      reject(err instanceof Error ? err : new Error('PAT verification failed'));
    attempt.authenticate(req, {});
  });
}
