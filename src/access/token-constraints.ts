import ipaddr from 'ipaddr.js';

/**
 * Per-token constraints (issue 21): where a token may be used from (`allowedIps`) and which
 * resources it may act on (`resources`). Pure functions, shared by the guard (enforcement), token
 * creation and editing (validation) and child tokens (the subset rule).
 */

/** What a token is pinned to. Only posts so far; a post covers its workspace, artifacts, runs and bindings. */
export interface TokenResources {
  readonly posts: readonly string[];
}

export interface TokenConstraints {
  /** Normalised CIDRs; null: any address. */
  readonly allowedIps: readonly string[] | null;
  /** null: every resource the owner has. */
  readonly resources: TokenResources | null;
}

export const MAX_ALLOWED_IPS = 50;
export const MAX_PINNED_POSTS = 100;

type Parsed = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * One CIDR or bare address, normalised (`10.0.0.7/8` → `10.0.0.0/8`, `2001:DB8::1` →
 * `2001:db8::1/128`); null when it is neither. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is kept as IPv6
 * here; matching folds both sides to IPv4 where possible.
 */
export function normaliseCidr(value: string): string | null {
  const text = value.trim();
  let parsed: Parsed;
  try {
    parsed = text.includes('/')
      ? ipaddr.parseCIDR(text)
      : ((addr) => [addr, addr.kind() === 'ipv4' ? 32 : 128] as Parsed)(ipaddr.parse(text));
  } catch {
    return null;
  }
  // ipaddr.parse accepts shorthand such as "10.1" and "0x0a.0.0.1"; only the canonical dotted
  // form is a CIDR a person means.
  const [addr, bits] = parsed;
  if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0]))
    return null;
  const network =
    addr.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
  return `${network.toString()}/${bits}`;
}

/** Folds an IPv4-mapped IPv6 address (how a dual-stack socket reports IPv4 clients) to IPv4. */
function plainAddress(value: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(value)) return null;
  const addr = ipaddr.parse(value);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    return (addr as ipaddr.IPv6).toIPv4Address();
  return addr;
}

function parseRange(cidr: string): Parsed | null {
  try {
    const [addr, bits] = ipaddr.parseCIDR(cidr);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
      return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    return [addr, bits];
  } catch {
    return null;
  }
}

/** Whether the client address (as Express's `req.ip` reports it) lies in one of the CIDRs. */
export function ipAllowed(
  clientIp: string | null | undefined,
  allowed: readonly string[],
): boolean {
  if (!clientIp) return false;
  const addr = plainAddress(clientIp);
  if (!addr) return false;
  return allowed.some((cidr) => {
    const range = parseRange(cidr);
    return range !== null && range[0].kind() === addr.kind() && addr.match(range);
  });
}

/** Whether CIDR `inner` lies wholly inside CIDR `outer` (same family, at least as long a prefix). */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseRange(inner);
  const b = parseRange(outer);
  if (!a || !b || a[0].kind() !== b[0].kind()) return false;
  return a[1] >= b[1] && a[0].match(b);
}

/** The token's pinned post ids, or null when it is not pinned. */
export function pinnedPosts(constraints: TokenConstraints | undefined): readonly string[] | null {
  return constraints?.resources?.posts ?? null;
}

/**
 * The short summary sent as `X-Token-Constraints`, e.g. `ips=2; posts=3`; null when the token has
 * no constraints (the header is then left out).
 */
export function constraintsSummary(constraints: TokenConstraints): string | null {
  const parts: string[] = [];
  if (constraints.allowedIps) parts.push(`ips=${constraints.allowedIps.length}`);
  if (constraints.resources) parts.push(`posts=${constraints.resources.posts.length}`);
  return parts.length ? parts.join('; ') : null;
}

/**
 * What a child token asks for beyond its parent, per dimension (empty: a subset). A parent
 * without a constraint in a dimension allows anything in it (pinned posts are then checked for
 * ownership by the caller).
 */
export function exceedsParent(
  parent: TokenConstraints,
  child: TokenConstraints,
): { allowedIps: string[]; posts: string[] } {
  const allowedIps = !parent.allowedIps
    ? []
    : child.allowedIps === null
      ? ['(any address)']
      : child.allowedIps.filter((c) => !parent.allowedIps!.some((p) => cidrWithin(c, p)));
  const parentPosts = parent.resources?.posts;
  const posts = !parentPosts
    ? []
    : child.resources === null
      ? ['(all posts)']
      : child.resources.posts.filter((id) => !parentPosts.includes(id));
  return { allowedIps, posts };
}

/**
 * The allowlist as stored: each entry normalised, repeats dropped. `invalid` lists what is not
 * an address or CIDR (the caller answers 400 naming them).
 */
export function normaliseAllowedIps(values: readonly string[]): {
  cidrs: string[];
  invalid: string[];
} {
  const cidrs: string[] = [];
  const invalid: string[] = [];
  for (const value of values) {
    const cidr = normaliseCidr(value);
    if (cidr === null) invalid.push(value);
    else if (!cidrs.includes(cidr)) cidrs.push(cidr);
  }
  return { cidrs, invalid };
}
