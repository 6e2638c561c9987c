import { Inject, Injectable } from '@nestjs/common';
import { constantTimeEqual } from '../common/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { CredentialStore, SESSION_COOKIE } from './credentials.js';
import type { Identification } from './identification.js';
import { authenticatePat, PatStrategy } from './pat.strategy.js';
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

  /** Ordinary routes: a bearer token decides, even when a session cookie is present too. */
  async identify(req: AuthenticatedRequest): Promise<Identification> {
    const authorization = req.headers.authorization;
    if (typeof authorization === 'string' && authorization.length > 0) {
      // Only a Bearer header goes to passport, which would otherwise also take a token from
      // the body or the query string.
      const outcome = BEARER_SCHEME.test(authorization)
        ? await authenticatePat(this.patStrategy, req)
        : null;
      if (outcome?.verified) {
        const { user, token } = outcome.verified;
        return { outcome: 'principal', principal: { kind: 'pat', user, token } };
      }
      return {
        outcome: 'invalid_token',
        presented: outcome?.presented ?? presentedWithoutPassport(authorization),
      };
    }
    const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.[
      SESSION_COOKIE
    ];
    if (cookie) {
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
    if (req.headers[INTERNAL_TOKEN_HEADER] !== undefined && this.serviceCredentialValid(req)) {
      return { outcome: 'principal', principal: { kind: 'internal' } };
    }
    return { outcome: 'none' };
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

/**
 * What to call the presented credential when passport did not parse one (another scheme, or a
 * Bearer header passport refused): the bearer value if there is one, else the whole header. Only
 * used to word the refusal and its audit row.
 */
function presentedWithoutPassport(authorization: string): string {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? authorization;
}
