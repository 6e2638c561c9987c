import { ProblemException } from '../../../common/index.js';

/**
 * A redirect URL the caller chose, held to PUBLIC_BASE_URL (its origin, and its path as a
 * prefix), so a checkout link cannot send a buyer to someone else's site. Unset: the default path.
 */
export function redirectOnBase(
  publicBaseUrl: string,
  field: string,
  value: string | undefined,
  defaultPath: string,
): string {
  if (value === undefined) return `${publicBaseUrl}${defaultPath}`;
  const base = new URL(publicBaseUrl + '/');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw ProblemException.validation([{ field, message: 'must be an absolute URL' }]);
  }
  if (
    url.origin !== base.origin ||
    !url.pathname.startsWith(base.pathname) ||
    url.username ||
    url.password
  )
    throw ProblemException.validation([
      { field, message: `must be on ${publicBaseUrl} (no redirects to other sites)` },
    ]);
  return url.toString();
}
