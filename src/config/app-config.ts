import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { isScope, type Scope } from '../access/scopes.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The whole typed configuration. Built once from the environment by `loadConfig`. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** Unset: the embedded PGlite database in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly publicBaseUrl: string;
  /** HMAC key for token and session digests; generated into `dataDir` when not configured. */
  readonly tokenPepper: string;
  readonly adminEmails: readonly string[];
  /** Unset: internal routes are closed to everyone. */
  readonly internalApiToken: string | undefined;
  readonly logLevel: LogLevel;
  readonly jsonBodyLimitBytes: number;
  /** Requests per minute allowed for one PAT or one session user. */
  readonly rateLimitPerMinute: number;
  /** Requests per minute allowed for one IP without credentials. */
  readonly anonymousRateLimitPerMinute: number;
  /** On SIGTERM, how long open requests may take before their connections are cut off. */
  readonly shutdownGraceMs: number;
  /**
   * Express's `trust proxy`: whose X-Forwarded-For to believe for the client address (rate limits
   * per IP, audit, token last-use IP). A hop count, or a list of addresses, CIDRs and the names
   * loopback, linklocal and uniquelocal.
   */
  readonly trustProxy: number | string[];
  /** Whether cookies get `Secure`: everywhere except plain-http local development. */
  readonly secureCookies: boolean;
  /**
   * Unset: rate-limit counters live in this process. Set: in Redis, shared by every instance
   * pointed at it, so N instances allow the limit once, not N times.
   */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key this app writes, so deployments can share one Redis. */
  readonly redisKeyPrefix: string;
  /** AES-256-GCM key for secrets read back later (webhook signing secrets, workspace bindings). */
  readonly secretsKey: Buffer;
  /** False: this instance serves requests only and runs no background loops (BACKGROUND_WORK). */
  readonly backgroundWork: boolean;
  /** How often idle background loops look for due work (EVENTS_POLL_MS). */
  readonly eventsPollMs: number;
  /**
   * WEBHOOK_ALLOW_PRIVATE_TARGETS: let webhook endpoints be http:// and resolve to loopback or
   * private addresses. For local development and tests only; off, the SSRF defence refuses them.
   */
  readonly webhookAllowPrivateTargets: boolean;
  /** WEBHOOK_TIMEOUT_MS: how long a receiver has to answer 2xx (default 15 s). */
  readonly webhookTimeoutMs: number;
  /** The workspace module's settings (WORKSPACE_*; see the README's Workspace section). */
  readonly workspace: WorkspaceConfig;
  /** Token policy defaults (TOKEN_*); an admin may override each at PUT /api/admin/token-policy. */
  readonly tokenPolicy: TokenPolicyConfig;
  /** Stripe (Billing). Unset secret key: the routes that need Stripe answer 503 stripe_not_configured. */
  readonly stripe: StripeConfig;
  /** Outgoing email (SMTP_URL, MAIL_FROM; see the README's Email section). */
  readonly mail: MailConfig;
  /** TOKEN_EXPIRY_SWEEP_MS: how often an instance looks for tokens due an expiry warning. */
  readonly tokenExpirySweepMs: number;
}

export interface MailConfig {
  /** `smtp://` or `smtps://` URL of the relay; unset: messages are written to `DATA_DIR/mail/*.eml`. */
  readonly smtpUrl: string | undefined;
  /** The From header of every message, e.g. `GetPaidX <no-reply@example.com>`. */
  readonly from: string;
}

export interface TokenPolicyConfig {
  /** TOKEN_MAX_LIFETIME_DAYS; null (unset or 0): no maximum beyond the built-in one year. */
  readonly maxLifetimeDays: number | null;
  /** TOKEN_EXPIRY_REQUIRED: every new token must have an expiry. */
  readonly expiryRequired: boolean;
  /** TOKEN_ADMIN_ONLY_SCOPES: scopes only admins' tokens may hold. */
  readonly adminOnlyScopes: readonly Scope[];
  /** TOKEN_STALE_AFTER_DAYS: revoke tokens unused this long (warned 14 days before); 0 = off. */
  readonly staleAfterDays: number;
}

export interface StripeConfig {
  /** `sk_…` or `rk_…`; never logged, never stored. */
  readonly secretKey: string | undefined;
  /** `whsec_…`, verifies `POST /api/billing/stripe/events`. */
  readonly webhookSecret: string | undefined;
  /** Where the SDK sends its requests instead of api.stripe.com (tests, stripe-mock). */
  readonly apiBase: { protocol: 'http' | 'https'; host: string; port: number } | undefined;
}

export interface WorkspaceConfig {
  /** Unset: the built-in local controller runs sessions and runs in-process. */
  readonly controllerUrl: string | undefined;
  /** Active sessions one user may hold at once (429 concurrency_limit beyond). */
  readonly sessionLimit: number;
  /** A session's absolute lifetime and its idle expiry, in seconds. */
  readonly sessionTtlSeconds: number;
  readonly sessionIdleSeconds: number;
  /** How long a run may be RUNNING before it is TIMED_OUT. */
  readonly runTimeoutMs: number;
  /** How long a worker's claim on a run lasts without renewal (a killed worker's run is retried after it). */
  readonly runLeaseMs: number;
  /** Claims of one run (first try plus retries after a lost worker) before it is TIMED_OUT. */
  readonly runMaxAttempts: number;
  /** Runs one instance executes at once. */
  readonly runConcurrency: number;
  /** Sessions the local controller holds across all users before answering controllers_busy. */
  readonly localCapacity: number;
  /** How often the schedule loop looks for due SCHEDULE rules. */
  readonly schedulePollMs: number;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

const PEPPER_FILE = 'token-pepper';
const SECRETS_KEY_FILE = 'secrets.key';

/**
 * The only reader of the environment. Collects every bad value before failing, so one start-up
 * names them all instead of one per attempt.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };

  const port = int('PORT', 3000, 0, 65535);
  const host = env.HOST?.trim() || '127.0.0.1';

  let databaseUrl: string | undefined = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined) {
    try {
      const url = new URL(databaseUrl);
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
      }
    } catch {
      problems.push('DATABASE_URL is not a valid URL');
      databaseUrl = undefined;
    }
  }

  const rawDataDir = env.DATA_DIR?.trim() || './data';
  const dataDir = isAbsolute(rawDataDir) ? rawDataDir : resolve(process.cwd(), rawDataDir);

  let publicBaseUrl = env.PUBLIC_BASE_URL?.trim() || `http://${host}:${port}`;
  try {
    const url = new URL(publicBaseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      problems.push('PUBLIC_BASE_URL must be an http:// or https:// URL');
    }
    publicBaseUrl = publicBaseUrl.replace(/\/+$/, '');
  } catch {
    problems.push(`PUBLIC_BASE_URL is not a valid URL (got "${publicBaseUrl}")`);
  }

  const configuredPepper = env.TOKEN_PEPPER;
  if (configuredPepper !== undefined && configuredPepper.length < 32) {
    problems.push('TOKEN_PEPPER must be at least 32 characters');
  }

  const adminEmails = (env.ADMIN_EMAILS ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.length > 0);
  for (const email of adminEmails) {
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      problems.push(`ADMIN_EMAILS has an invalid email "${email}"`);
  }

  const internalApiToken = env.INTERNAL_API_TOKEN || undefined;
  if (internalApiToken !== undefined && internalApiToken.length < 32) {
    problems.push('INTERNAL_API_TOKEN must be at least 32 characters');
  }

  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const rateLimitPerMinute = int('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000);
  const anonymousRateLimitPerMinute = int('ANONYMOUS_RATE_LIMIT_PER_MINUTE', 120, 1, 1_000_000);
  const shutdownGraceMs = int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000);
  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);
  const configuredSecretsKey = parseSecretsKey(env.SECRETS_KEY, problems);
  const backgroundWork = parseBoolean('BACKGROUND_WORK', env.BACKGROUND_WORK, true, problems);
  const eventsPollMs = int('EVENTS_POLL_MS', 250, 10, 60_000);
  const webhookAllowPrivateTargets = parseBoolean(
    'WEBHOOK_ALLOW_PRIVATE_TARGETS',
    env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    false,
    problems,
  );
  const webhookTimeoutMs = int('WEBHOOK_TIMEOUT_MS', 15_000, 100, 60_000);
  const workspace: WorkspaceConfig = {
    controllerUrl: parseHttpUrl('WORKSPACE_CONTROLLER_URL', env.WORKSPACE_CONTROLLER_URL, problems),
    sessionLimit: int('WORKSPACE_SESSION_LIMIT', 3, 1, 1000),
    sessionTtlSeconds: int('WORKSPACE_SESSION_TTL_SECONDS', 4 * 3600, 60, 7 * 24 * 3600),
    sessionIdleSeconds: int('WORKSPACE_SESSION_IDLE_SECONDS', 30 * 60, 60, 7 * 24 * 3600),
    runTimeoutMs: int('WORKSPACE_RUN_TIMEOUT_MS', 15 * 60_000, 100, 24 * 3600_000),
    runLeaseMs: int('WORKSPACE_RUN_LEASE_MS', 30_000, 200, 3600_000),
    runMaxAttempts: int('WORKSPACE_RUN_MAX_ATTEMPTS', 3, 1, 20),
    runConcurrency: int('WORKSPACE_RUN_CONCURRENCY', 2, 1, 64),
    localCapacity: int('WORKSPACE_LOCAL_CAPACITY', 50, 1, 100_000),
    schedulePollMs: int('WORKSPACE_SCHEDULE_POLL_MS', 1000, 10, 60_000),
  };
  // The outside controller and this server authenticate to each other with the service credential.
  if (workspace.controllerUrl && !internalApiToken)
    problems.push('WORKSPACE_CONTROLLER_URL needs INTERNAL_API_TOKEN (the controller credential)');
  const stripe = parseStripe(env, problems);
  const tokenPolicy = parseTokenPolicy(env, problems, int);
  const mail = parseMail(env, problems);
  const tokenExpirySweepMs = int('TOKEN_EXPIRY_SWEEP_MS', 60_000, 10, 3600_000);

  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined) {
    try {
      const url = new URL(redisUrl);
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
        problems.push('REDIS_URL must be a redis:// or rediss:// URL');
    } catch {
      problems.push('REDIS_URL is not a valid URL');
    }
  }
  const redisKeyPrefix = env.REDIS_KEY_PREFIX ?? 'gpx:';
  if (!/^[\w:.-]{0,64}$/.test(redisKeyPrefix))
    problems.push('REDIS_KEY_PREFIX may hold up to 64 letters, digits and _ : . -');

  if (problems.length > 0) throw new ConfigValidationError(problems);

  return {
    port,
    host,
    databaseUrl,
    dataDir,
    publicBaseUrl,
    tokenPepper: configuredPepper ?? loadOrCreatePepper(dataDir),
    adminEmails,
    internalApiToken,
    logLevel,
    jsonBodyLimitBytes: 1024 * 1024,
    rateLimitPerMinute,
    anonymousRateLimitPerMinute,
    shutdownGraceMs,
    trustProxy,
    secureCookies: new URL(publicBaseUrl).protocol === 'https:',
    redisUrl,
    redisKeyPrefix,
    secretsKey: configuredSecretsKey ?? loadOrCreateSecretsKey(dataDir),
    backgroundWork,
    eventsPollMs,
    webhookAllowPrivateTargets,
    webhookTimeoutMs,
    workspace,
    stripe,
    tokenPolicy,
    mail,
    tokenExpirySweepMs,
  };
}

/**
 * TOKEN_MAX_LIFETIME_DAYS, TOKEN_EXPIRY_REQUIRED, TOKEN_ADMIN_ONLY_SCOPES, TOKEN_STALE_AFTER_DAYS.
 * A stale period under 30 days is refused: the warning comes 14 days before revocation, so a
 * shorter one would warn about tokens made days ago.
 */
function parseTokenPolicy(
  env: NodeJS.ProcessEnv,
  problems: string[],
  int: (name: string, fallback: number, min: number, max: number) => number,
): TokenPolicyConfig {
  const maxLifetime = int('TOKEN_MAX_LIFETIME_DAYS', 0, 0, 366);
  const staleAfterDays = int('TOKEN_STALE_AFTER_DAYS', 365, 0, 3650);
  if (staleAfterDays !== 0 && staleAfterDays < 30)
    problems.push(
      `TOKEN_STALE_AFTER_DAYS must be 0 (off) or at least 30 (got "${staleAfterDays}")`,
    );
  const adminOnlyScopes = (env.TOKEN_ADMIN_ONLY_SCOPES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const scope of adminOnlyScopes)
    if (!isScope(scope)) problems.push(`TOKEN_ADMIN_ONLY_SCOPES has an unknown scope "${scope}"`);
  return {
    maxLifetimeDays: maxLifetime === 0 ? null : maxLifetime,
    expiryRequired: parseBoolean(
      'TOKEN_EXPIRY_REQUIRED',
      env.TOKEN_EXPIRY_REQUIRED,
      false,
      problems,
    ),
    adminOnlyScopes: [...new Set(adminOnlyScopes.filter(isScope))].sort(),
    staleAfterDays,
  };
}

export const DEFAULT_MAIL_FROM = 'GetPaidX <no-reply@getpaidx.local>';

/** SMTP_URL and MAIL_FROM; a bad SMTP_URL is named without echoing it (it may hold a password). */
function parseMail(env: NodeJS.ProcessEnv, problems: string[]): MailConfig {
  const smtpUrl = env.SMTP_URL?.trim() || undefined;
  if (smtpUrl !== undefined) {
    let ok = false;
    try {
      const url = new URL(smtpUrl);
      ok = (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
    } catch {
      /* reported below */
    }
    if (!ok)
      problems.push('SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@host:587');
  }
  const from = env.MAIL_FROM?.trim() || DEFAULT_MAIL_FROM;
  // A display name is optional; the address must be there, and no header injection.
  if (!/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from))
    problems.push(`MAIL_FROM must be an address or "Name <address>" (got "${from}")`);
  return { smtpUrl: problems.some((p) => p.startsWith('SMTP_URL')) ? undefined : smtpUrl, from };
}

/** STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE; a bad value names itself, never its content. */
function parseStripe(env: NodeJS.ProcessEnv, problems: string[]): StripeConfig {
  const secretKey = env.STRIPE_SECRET_KEY?.trim() || undefined;
  if (secretKey !== undefined && !/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(secretKey))
    problems.push('STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_… or rk_…)');
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET?.trim() || undefined;
  if (webhookSecret !== undefined && !/^whsec_[A-Za-z0-9+/=_-]+$/.test(webhookSecret))
    problems.push('STRIPE_WEBHOOK_SECRET must be a Stripe signing secret (whsec_…)');
  const rawBase = env.STRIPE_API_BASE?.trim() || undefined;
  let apiBase: StripeConfig['apiBase'];
  if (rawBase !== undefined) {
    try {
      const url = new URL(rawBase);
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname.length > 1)
        throw new Error('not a base');
      const protocol = url.protocol === 'https:' ? 'https' : 'http';
      apiBase = {
        protocol,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80,
      };
    } catch {
      problems.push(
        `STRIPE_API_BASE must be an http:// or https:// origin such as http://127.0.0.1:12111 (got "${rawBase}")`,
      );
    }
  }
  return {
    secretKey: problems.some((p) => p.startsWith('STRIPE_SECRET_KEY')) ? undefined : secretKey,
    webhookSecret,
    apiBase,
  };
}

/** An optional absolute http(s) base URL, without a trailing slash. */
function parseHttpUrl(
  name: string,
  raw: string | undefined,
  problems: string[],
): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    /* reported below */
  }
  problems.push(`${name} must be an http:// or https:// URL`);
  return undefined;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** TRUST_PROXY: a hop count, or addresses, CIDRs and Express's subnet names (default loopback). */
function parseTrustProxy(raw: string | undefined, problems: string[]): number | string[] {
  const value = raw?.trim() || 'loopback';
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const validBits =
      bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!PROXY_NAMES.includes(entry) && (family === 0 || !validBits || rest.length > 0)) {
      problems.push(
        `TRUST_PROXY must be a hop count or a list of addresses, CIDRs, ${PROXY_NAMES.join(', ')} (got "${entry}")`,
      );
    }
  }
  return entries;
}

/** Generated once per data directory, so tokens survive restarts without any setup. */
function loadOrCreatePepper(dataDir: string): string {
  const file = join(dataDir, PEPPER_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const pepper = randomBytes(32).toString('base64url');
  writeFileSync(file, pepper + '\n', { mode: 0o600, flag: 'wx' });
  return pepper;
}

function parseBoolean(
  name: string,
  raw: string | undefined,
  fallback: boolean,
  problems: string[],
): boolean {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

/** SECRETS_KEY: 32 bytes as base64 (or base64url); every instance of one deployment shares it. */
function parseSecretsKey(raw: string | undefined, problems: string[]): Buffer | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) {
    problems.push('SECRETS_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
    return undefined;
  }
  return key;
}

/** Generated once per data directory, like the pepper, so the embedded default needs no setup. */
function loadOrCreateSecretsKey(dataDir: string): Buffer {
  const file = join(dataDir, SECRETS_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process sharing the data directory wrote it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
