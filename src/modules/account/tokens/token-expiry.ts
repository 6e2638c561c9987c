import { ProblemException } from '../../../common/index.js';
import { MAX_TOKEN_LIFETIME_MS } from './tokens.service.js';

/** A token expiry must be in the future and at most a year out (366 days, for leap years). */
export function parseTokenExpiry(raw: string | undefined, now = Date.now()): Date | undefined {
  if (raw === undefined) return undefined;
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) {
    throw ProblemException.validation([
      { field: 'expiresAt', message: 'must be an ISO 8601 date-time' },
    ]);
  }
  if (at.getTime() <= now) {
    throw ProblemException.validation([{ field: 'expiresAt', message: 'must be in the future' }]);
  }
  if (at.getTime() - now > MAX_TOKEN_LIFETIME_MS) {
    throw ProblemException.validation([
      { field: 'expiresAt', message: 'must be at most one year from now' },
    ]);
  }
  return at;
}
