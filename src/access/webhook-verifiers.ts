import { Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from './principal.js';

/** Checks an inbound webhook's signature against the raw body and headers. */
export type WebhookVerifier = (req: AuthenticatedRequest) => boolean | Promise<boolean>;

/**
 * Named verifiers for `@WebhookIngress('<name>')` routes. The module that owns an ingress route
 * registers its verifier at init (e.g. Billing registers `stripe`); a route naming a verifier
 * nobody registered stops start-up.
 */
@Injectable()
export class WebhookVerifierRegistry {
  private readonly verifiers = new Map<string, WebhookVerifier>();

  register(name: string, verifier: WebhookVerifier): void {
    if (this.verifiers.has(name)) throw new Error(`Webhook verifier "${name}" is registered twice`);
    this.verifiers.set(name, verifier);
  }

  get(name: string): WebhookVerifier | undefined {
    return this.verifiers.get(name);
  }
}
