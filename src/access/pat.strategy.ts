import { Injectable } from '@nestjs/common';
import { Strategy } from 'passport-http-bearer';
import type { Request } from 'express';
import { CredentialStore, type VerifiedToken } from './credentials.js';

/**
 * What one bearer attempt established. `presented` is the token passport-http-bearer parsed out
 * of the request, or null when it refused the request before parsing one (e.g. more than one
 * space after the scheme, or a token in the header and in the body at once).
 */
export interface PatOutcome {
  presented: string | null;
  verified: VerifiedToken | null;
}

const REFUSED_BEFORE_PARSING: PatOutcome = { presented: null, verified: null };

type Done = (error: unknown, outcome?: PatOutcome) => void;

/**
 * The passport-http-bearer strategy: passport parses the bearer value, the credential store says
 * whether it is a live personal access token. The verify callback always reports back what it
 * was shown (not `false` for an unusable token), so the guard can describe the refusal without
 * parsing the header a second time.
 *
 * Built on the strategy class itself rather than @nestjs/passport's mixin: the mixin wraps every
 * verification in an async function, which costs every token request a promise and a microtask
 * hop even when the answer is already in memory. Here a verification the credential store holds
 * in memory completes synchronously, and only a database read makes the attempt asynchronous.
 */
@Injectable()
export class PatStrategy extends Strategy<(token: string, done: Done) => void> {
  constructor(credentials: CredentialStore) {
    super({}, (token: string, done: Done) => {
      const cached = credentials.verifyTokenFromMemory(token);
      if (cached !== undefined) return done(null, { presented: token, verified: cached });
      credentials.verifyToken(token).then(
        (verified) => done(null, { presented: token, verified }),
        (err: unknown) => done(err),
      );
    });
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
 * (a per-attempt object carrying success/fail/error), without building passport's middleware on
 * every call: this is the hot path of every token request. fail() and its challenge mean
 * passport found no token it could parse: the guard answers that with invalid_token.
 *
 * Returns the outcome itself when the strategy settled synchronously (a verification held in
 * memory, or a header passport refused), and a promise only when it had to wait for the database.
 */
export function authenticatePat(
  strategy: PatStrategy,
  req: Request,
): PatOutcome | Promise<PatOutcome> {
  let outcome: PatOutcome | undefined;
  let failure: Error | undefined;
  let later: { resolve(o: PatOutcome): void; reject(e: Error): void } | undefined;
  const attempt = Object.create(strategy) as StrategyAttempt;
  attempt.success = (o) => (later ? later.resolve(o) : (outcome = o));
  attempt.fail =
    attempt.pass =
    attempt.redirect =
      () => (later ? later.resolve(REFUSED_BEFORE_PARSING) : (outcome = REFUSED_BEFORE_PARSING));
  attempt.error = (err) => {
    const error = err instanceof Error ? err : new Error('PAT verification failed');
    if (later) later.reject(error);
    else failure = error;
  };
  // The Authorization header only: passport-http-bearer would otherwise also take an
  // access_token from the body or the query string, which this API does not accept.
  attempt.authenticate({ headers: { authorization: req.headers.authorization } } as Request, {});
  if (outcome) return outcome;
  if (failure) return Promise.reject(failure);
  return new Promise((resolve, reject) => (later = { resolve, reject }));
}
