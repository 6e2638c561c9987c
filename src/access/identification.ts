import type { Principal } from './principal.js';

/**
 * What a request presented, before anything is decided. The first four come from ordinary
 * routes; the service-credential outcomes only from internal routes (which never look at
 * tokens or sessions), `signature` only from webhook ingress.
 */
export type Identification =
  | { outcome: 'none' }
  /** `presentedCsrf`: the X-CSRF-Token header, read for sessions only. */
  | { outcome: 'principal'; principal: Principal; presentedCsrf?: string }
  | { outcome: 'invalid_token'; presented: string }
  | { outcome: 'stale_session' }
  | { outcome: 'service_credential_unconfigured' }
  | { outcome: 'invalid_service_credential' }
  /** A token or a session where only the service credential counts. */
  | { outcome: 'foreign_credentials' }
  | { outcome: 'signature'; valid: boolean };
