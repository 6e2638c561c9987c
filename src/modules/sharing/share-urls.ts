/**
 * The public web pages share links land on, built in this one place so the redirects, the
 * referral paths' `url` and the QR codes agree. The web app serves these pages on PUBLIC_BASE_URL:
 *
 * - a post's page:        `${PUBLIC_BASE_URL}/posts/{postId}`
 * - a creator's profile:  `${PUBLIC_BASE_URL}/creators/{userId}`
 * - a referral link:      `${PUBLIC_BASE_URL}/go/{code}` (redirects to its target, see below)
 * - a post's short link:  `${PUBLIC_BASE_URL}/r/{referenceId}` (redirects to the post's page)
 *
 * A referral redirect keeps the attribution on the landing URL as `?ref={code}`.
 */

/** Query parameter and cookie that carry a referral code to the landing page and to Billing. */
export const REFERRAL_QUERY_PARAMETER = 'ref';
export const REFERRAL_COOKIE = 'gpx_ref';
/** How long a visit stays attributed to the referral that brought it. */
export const REFERRAL_COOKIE_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

export function postPageUrl(base: string, postId: string): string {
  return `${base}/posts/${encodeURIComponent(postId)}`;
}

export function profilePageUrl(base: string, userId: string): string {
  return `${base}/creators/${encodeURIComponent(userId)}`;
}

export function referralLinkUrl(base: string, code: string): string {
  return `${base}/go/${encodeURIComponent(code)}`;
}

/** The landing URL with the referral code kept on it (`?ref=` replaces any earlier one). */
export function withReferral(target: string, code: string): string {
  const url = new URL(target);
  url.searchParams.set(REFERRAL_QUERY_PARAMETER, code);
  return url.href;
}
