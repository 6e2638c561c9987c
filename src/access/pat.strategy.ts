import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import type { Request } from 'express';
import { CredentialStore, type VerifiedToken } from './credentials.js';

export const PAT_STRATEGY = 'gpx-pat';

/**
 * What one bearer attempt established. `presented` is the token passport-http-bearer parsed out
 * of the request, or null when it refused the request before parsing one (e.g. more than one
 * space after the scheme, or a token in the header and in the body at once).
 */
export interface PatOutcome {
  presented: string | null;
  verified: VerifiedToken | null;
}

/**
 * passport-http-bearer strategy: passport parses the bearer value, the credential store says
 * whether it is a live personal access token. validate always reports back what it was shown
 * (not `false` for an unusable token), so the guard can describe the refusal without parsing
 * the header a second time.
 */
const REFUSED_BEFORE_PARSING: PatOutcome = { presented: null, verified: null };

@Injectable()
export class PatStrategy extends PassportStrategy(Strategy, PAT_STRATEGY) {
  constructor(private readonly credentials: CredentialStore) {
    super();
  }

  async validate(token: unknown): Promise<PatOutcome> {
    if (typeof token !== 'string') return REFUSED_BEFORE_PARSING;
    return { presented: token, verified: await this.credentials.verifyToken(token) };
  }
}

/** The callbacks passport gives a strategy for one attempt. */
interface StrategyAttempt {
  success(outcome: PatOutcome): void;
  fail(): void;
  error(err: unknown): void;
  pass(): void;
  redirect(): void;
  authenticate(req: Request, options: object): void;
}

/**
 * Runs the passport-http-bearer strategy for one request the way passport's own middleware does
 * (a per-attempt object carrying success/fail/error), without rebuilding the middleware chain
 * on every call: this is the hot path of every token request. fail() and its challenge mean
 * passport found no token it could parse: the guard answers that with invalid_token.
 */
export function authenticatePat(strategy: PatStrategy, req: Request): Promise<PatOutcome> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as StrategyAttempt;
    attempt.success = (outcome) => resolve(outcome);
    attempt.fail = () => resolve(REFUSED_BEFORE_PARSING);
    attempt.pass = () => resolve(REFUSED_BEFORE_PARSING);
    attempt.redirect = () => resolve(REFUSED_BEFORE_PARSING);
    attempt.error = (err) =>
      reject(err instanceof Error ? err : new Error('PAT verification failed'));
    // The Authorization header only: passport-http-bearer would otherwise also take an
    // access_token from the body or the query string, which this API does not accept.
    attempt.authenticate({ headers: { authorization: req.headers.authorization } } as Request, {});
  });
}
