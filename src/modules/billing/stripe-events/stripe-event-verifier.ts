import type { AuthenticatedRequest } from '../../../access/principal.js';
import type { StripeEvent, StripeGateway } from '../stripe/stripe-gateway.js';

/** The event the `stripe` verifier parsed, kept for the handler so the body is parsed once. */
const verified = new WeakMap<AuthenticatedRequest, StripeEvent>();

/**
 * The `stripe` webhook verifier: the Stripe-Signature header over the raw body, with the SDK's
 * constructEvent (timestamp tolerance 5 minutes, so a stale signature fails too). Without
 * STRIPE_WEBHOOK_SECRET it throws 503 stripe_not_configured.
 */
export function stripeEventVerifier(gateway: StripeGateway) {
  return (req: AuthenticatedRequest): boolean => {
    const raw = req.rawBody;
    const event = raw ? gateway.verifyEvent(raw, req.headers['stripe-signature']) : null;
    if (!raw && !gateway.verifiesEvents) gateway.verifyEvent(Buffer.alloc(0), undefined);
    if (!event) return false;
    verified.set(req, event);
    return true;
  };
}

export function verifiedStripeEvent(req: AuthenticatedRequest): StripeEvent | undefined {
  return verified.get(req);
}
