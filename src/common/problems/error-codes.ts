/**
 * The error contract as data (docs/architecture.md §6). The problem filter takes titles from here and the
 * catalog publishes it, so the documented table and the answers cannot drift apart.
 */
export const ERROR_CODES = {
  validation_failed: {
    status: 400,
    title: 'Validation failed',
    when: 'The body, query or path parameters are invalid; unknown fields are rejected. `errors` names each field.',
  },
  token_policy_violation: {
    status: 400,
    title: 'Token policy violation',
    when: 'The token asked for is outside the admin token policy (maximum lifetime, required expiry, admin-only scopes). `rule`, `field` and `limit` name the first broken rule, `violations` all of them. Nothing was created.',
  },
  unauthenticated: {
    status: 401,
    title: 'Authentication required',
    when: 'No credentials were sent to a protected route.',
  },
  invalid_token: {
    status: 401,
    title: 'Invalid token',
    when: 'The bearer token is malformed, unknown, expired or revoked.',
  },
  invalid_credentials: {
    status: 401,
    title: 'Invalid credentials',
    when: 'The email and password do not match an account.',
  },
  invalid_signature: {
    status: 401,
    title: 'Invalid signature',
    when: 'A webhook-ingress request whose signature is missing or does not verify.',
  },
  signature_rejected: {
    status: 400,
    title: 'Signature rejected',
    when: 'A webhook-ingress request from a sender that expects 400 (Stripe) whose signature is missing, stale or does not verify.',
  },
  insufficient_scope: {
    status: 403,
    title: 'Insufficient scope',
    when: 'The personal access token lacks a scope the route requires. `requiredScopes` and `grantedScopes` say which.',
  },
  session_required: {
    status: 403,
    title: 'Browser session required',
    when: 'A personal access token was used on a browser-only or admin-only route.',
  },
  csrf_failed: {
    status: 403,
    title: 'CSRF check failed',
    when: 'A cookie-authenticated unsafe request did not carry a valid X-CSRF-Token header.',
  },
  admin_required: {
    status: 403,
    title: 'Admin required',
    when: 'The route is for admins and the signed-in user is not one.',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    when: 'The caller may not act on this resource, or the credential is not accepted here.',
  },
  ip_not_allowed: {
    status: 403,
    title: 'IP address not allowed',
    when: 'The personal access token has an IP allowlist (allowedIps) and the request came from outside it. `clientIp` says which address was seen.',
  },
  resource_not_allowed: {
    status: 403,
    title: 'Resource not allowed',
    when: 'The personal access token is pinned to selected posts (resources) and the request would act outside them, e.g. create a new post. Posts outside the pin answer 404 instead, as if absent.',
  },
  child_token_cannot_mint: {
    status: 403,
    title: 'Child tokens cannot mint tokens',
    when: 'A child token (minted with POST /api/tokens/self/children) asked to mint a child of its own; only a token made in Settings → API can.',
  },
  purchase_required: {
    status: 403,
    title: 'Purchase required',
    when: 'The post is priced and the caller has not bought it: its body, artifact and replies are for its author and buyers. Create a checkout link to buy it.',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    when: 'No such route or resource (or it is not visible to the caller).',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    when: 'The path exists but does not take this method; `Allow` lists the ones it takes.',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    when: 'The request conflicts with the current state of the resource.',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload too large',
    when: 'The request body exceeds the size limit.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    when: 'The request body has a content type the route does not accept (JSON routes take application/json).',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    when: 'A rate limit was reached. Retry after the number of seconds in `Retry-After`.',
  },
  not_for_sale: {
    status: 409,
    title: 'Not for sale',
    when: 'A checkout link was asked for a post that has no price, or for your own post.',
  },
  already_entitled: {
    status: 409,
    title: 'Already bought',
    when: 'A checkout link was asked for a post the caller already reads (a purchase or a current subscription).',
  },
  seller_payouts_not_enabled: {
    status: 409,
    title: 'Seller cannot be paid yet',
    when: 'The post’s author has not finished Stripe payout onboarding (GET /api/payouts is not `enabled`), so the post cannot be bought yet.',
  },
  internal_error: {
    status: 500,
    title: 'Internal server error',
    when: 'An unexpected error. The `requestId` identifies it in the server logs.',
  },
  unavailable: {
    status: 503,
    title: 'Service unavailable',
    when: 'The database or a provider is down. Retry later.',
  },
  stripe_not_configured: {
    status: 503,
    title: 'Stripe not configured',
    when: 'The route needs Stripe and this server has no STRIPE_SECRET_KEY (or, for Stripe events, no STRIPE_WEBHOOK_SECRET). Nothing was changed; the rest of the API works.',
  },
  stripe_error: {
    status: 502,
    title: 'Stripe request failed',
    when: 'Stripe refused or failed the request this route made. Nothing was stored; retry later (with the same Idempotency-Key, where the route takes one).',
  },
  qr_art_unavailable: {
    status: 503,
    title: 'QR art unavailable',
    when: 'An AI-styled QR code was asked for and no QR art provider is configured on this server. Nothing was stored; ask for style "classic" instead.',
  },
  credits_required: {
    status: 402,
    title: 'Credits required',
    when: 'Starting a workspace session needs AI credits and the balance is exhausted beyond its overdraft buffer. Top up, then retry.',
  },
  concurrency_limit: {
    status: 429,
    title: 'Concurrency limit reached',
    when: 'You already hold as many active workspace sessions as allowed (`limit`). Close one, then retry.',
  },
  controllers_busy: {
    status: 503,
    title: 'Workspace controllers busy',
    when: 'No workspace controller can take a new session right now. Retry after the seconds in `Retry-After`.',
  },
  idempotency_key_reused: {
    status: 409,
    title: 'Idempotency key reused',
    when: 'The idempotency key was already used with a different request body. Send the original body, or a new key.',
  },
  run_finished: {
    status: 409,
    title: 'Run already finished',
    when: 'The automation run has already reached a terminal state and cannot be cancelled.',
  },
} as const satisfies Record<string, { status: number; title: string; when: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The code used for an HTTP status when nothing more specific was said. */
export function defaultCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'validation_failed';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    default:
      return 'internal_error';
  }
}
