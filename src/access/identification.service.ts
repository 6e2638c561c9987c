import { Inject, Injectable } from '@nestjs/common';
import { constantTimeEqual } from '../common/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { CredentialStore, SESSION_COOKIE, type VerifiedToken } from './credentials.js';
import type { Identification } from './identification.js';
import { authenticatePat, type PatOutcome, PatStrategy } from './pat.strategy.js';
import type { AuthenticatedRequest } from './principal.js';
import { WebhookVerifierRegistry } from './webhook-verifiers.js';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
const BEARER_SCHEME = /^Bearer\s/i;

/** Establishes who is calling: bearer token, session cookie, service credential or signature. */
@Injectable()
export class IdentificationService {
  private readonly internalApiToken: string | undefined;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly patStrategy: PatStrategy,
    private readonly verifiers: WebhookVerifierRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.internalApiToken = config.internalApiToken || undefined;
  }

  /**
   * Ordinary routes: a bearer token decides, even when a session cookie is present too.
   * Synchronous when nothing needs I/O (no credential, or a token verified moments ago), so the
   * commonest requests never wait on a promise; a promise otherwise.
   */
  identify(req: AuthenticatedRequest): Identification | Promise<Identification> {
    const authorization = req.headers.authorization;
    if (typeof authorization === 'string' && authorization.length > 0) {
      // Only a Bearer header goes to passport, which would otherwise also take a token from
      // the body or the query string.
      if (!BEARER_SCHEME.test(authorization))
        return { outcome: 'invalid_token', presented: presentedWithoutPassport(authorization) };
      const outcome = authenticatePat(this.patStrategy, req);
      return outcome instanceof Promise
        ? outcome.then((o) => this.fromPatOutcome(o, authorization))
        : this.fromPatOutcome(outcome, authorization);
    }
    const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.[
      SESSION_COOKIE
    ];
    if (cookie) return this.identifySession(cookie, req);
    if (req.headers[INTERNAL_TOKEN_HEADER] !== undefined && this.serviceCredentialValid(req)) {
      return { outcome: 'principal', principal: { kind: 'internal' } };
    }
    return NO_CREDENTIAL;
  }

  /**
   * A verified token's caller, made once per verification and shared by the requests it
   * serves (the credential store hands back the same object while it holds it in memory).
   * Frozen, as every request that shares it reads it.
   */
  private readonly patCallers = new WeakMap<VerifiedToken, Identification>();

  private fromPatOutcome(outcome: PatOutcome, authorization: string): Identification {
    const { verified } = outcome;
    if (!verified) {
      return {
        outcome: 'invalid_token',
        presented: outcome.presented ?? presentedWithoutPassport(authorization),
      };
    }
    let caller = this.patCallers.get(verified);
    if (!caller) {
      const principal = Object.freeze({ kind: 'pat', user: verified.user, token: verified.token });
      caller = Object.freeze({ outcome: 'principal', principal } as const);
      this.patCallers.set(verified, caller);
    }
    return caller;
  }

  private async identifySession(
    cookie: string,
    req: AuthenticatedRequest,
  ): Promise<Identification> {
    const session = await this.credentials.resolveSession(cookie);
    if (!session) return { outcome: 'stale_session' };
    const csrf = req.headers['x-csrf-token'];
    return {
      outcome: 'principal',
      principal: {
        kind: 'session',
        user: session.user,
        sessionId: session.sessionId,
        csrfToken: session.csrfToken,
      },
      presentedCsrf: typeof csrf === 'string' ? csrf : undefined,
    };
  }

  /** Internal routes: the service credential only; tokens and sessions are not even looked up. */
  identifyService(req: AuthenticatedRequest): Identification {
    if (!this.internalApiToken) return { outcome: 'service_credential_unconfigured' };
    if (req.headers[INTERNAL_TOKEN_HEADER] === undefined) {
      return req.headers.authorization || req.cookies?.[SESSION_COOKIE]
        ? { outcome: 'foreign_credentials' }
        : { outcome: 'none' };
    }
    return this.serviceCredentialValid(req)
      ? { outcome: 'principal', principal: { kind: 'internal' } }
      : { outcome: 'invalid_service_credential' };
  }

  /** Webhook ingress: the named verifier checks the request signature. */
  async identifyWebhook(verifierName: string, req: AuthenticatedRequest): Promise<Identification> {
    const verifier = this.verifiers.get(verifierName);
    return { outcome: 'signature', valid: !!verifier && (await verifier(req)) };
  }

  private serviceCredentialValid(req: AuthenticatedRequest): boolean {
    const presented = req.headers[INTERNAL_TOKEN_HEADER];
    if (!this.internalApiToken || typeof presented !== 'string') return false;
    return constantTimeEqual(presented, this.internalApiToken);
  }
}

const NO_CREDENTIAL: Identification = Object.freeze({ outcome: 'none' });

/**
 * What to call the presented credential when passport did not parse one (another scheme, or a
 * Bearer header passport refused): the bearer value if there is one, else the whole header. Only
 * used to word the refusal and its audit row.
 */
function presentedWithoutPassport(authorization: string): string {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? authorization;
}
