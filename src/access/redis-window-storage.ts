import { createHash } from 'node:crypto';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  RateLimitStorage,
  type RateLimitStorageStatus,
  type ThrottlerStorageRecord,
} from './rate-limit-storage.js';

/**
 * The fixed window of FixedWindowThrottlerStorage, in Redis, in one atomic script: every instance
 * on the same Redis counts into the same window. KEYS[1] counts hits and expires with the window;
 * KEYS[2] exists while the caller is blocked. A blocked hit is not counted (as in memory).
 * ARGV: window ms, limit, block ms. Returns {hits, window ms left, blocked 0/1, block ms left}.
 */
const HIT_SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then left = blockLeft end
  return {hits, left, 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  local block = tonumber(ARGV[3])
  redis.call('SET', KEYS[2], '1', 'PX', block)
  if left < block then
    redis.call('PEXPIRE', KEYS[1], block)
    left = block
  end
  return {hits, left, 1, block}
end
return {hits, left, 0, 0}
`;

/** How long a hit may wait for Redis before it is let through uncounted. */
const COMMAND_TIMEOUT_MS = 500;
/** While Redis stays unreachable, how often the outage is logged again (with the count). */
const OUTAGE_LOG_INTERVAL_MS = 60_000;

type HitReply = [number, number, number, number];
type ScriptedRedis = Redis & {
  gpxRateLimitHit(
    counter: string,
    block: string,
    ttl: number,
    limit: number,
    blockMs: number,
  ): Promise<HitReply>;
};

/**
 * Rate-limit counters shared by every instance (REDIS_URL). When Redis cannot answer — down,
 * unreachable, slow past COMMAND_TIMEOUT_MS — the hit is let through ("fail open"): a rate limit
 * protects the service, and refusing every caller because the counter store is down would turn a
 * Redis outage into an API outage. Each such hit is counted (readiness shows the count) and the
 * outage is logged when it starts, every minute while it lasts, and when it ends.
 */
export class RedisWindowStorage extends RateLimitStorage implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimits');
  private readonly redis: ScriptedRedis;
  private failOpenCount = 0;
  private outageSince: number | undefined;
  private outageLoggedAt = 0;

  constructor(
    url: string,
    private readonly keyPrefix: string,
  ) {
    super();
    this.redis = new Redis(url, {
      // Never queue a hit while disconnected: it would wait for the reconnect instead of failing open.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      // Keeps trying to reconnect, at most every 2 s, for as long as the process runs.
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
      lazyConnect: false,
    }) as ScriptedRedis;
    this.redis.defineCommand('gpxRateLimitHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    // Without a listener ioredis prints every connection error itself; failures are reported
    // where a hit fails instead, once per outage.
    this.redis.on('error', () => undefined);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    // Hashed: counter keys hold emails and IP addresses, which need not sit in Redis in clear.
    const digest = createHash('sha256').update(key).digest('base64url').slice(0, 24);
    const counter = `${this.keyPrefix}rl:{${digest}}`;
    try {
      const [hits, windowLeft, blocked, blockLeft] = await this.redis.gpxRateLimitHit(
        counter,
        `${counter}:block`,
        ttl,
        limit,
        blockDuration,
      );
      if (this.outageSince !== undefined) this.recovered();
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(windowLeft / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.ceil(blockLeft / 1000),
      };
    } catch (error) {
      this.failedOpen(error);
      return {
        totalHits: 0,
        timeToExpire: Math.ceil(ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    }
  }

  status(): RateLimitStorageStatus {
    return {
      store: 'redis',
      connected: this.redis.status === 'ready',
      failOpenCount: this.failOpenCount,
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private recovered(): void {
    this.logger.log(
      `Redis answers again after ${Date.now() - this.outageSince!} ms; rate limits are shared again (${this.failOpenCount} hit(s) let through uncounted so far)`,
    );
    this.outageSince = undefined;
    this.outageLoggedAt = 0;
  }

  private failedOpen(error: unknown): void {
    this.failOpenCount += 1;
    const now = Date.now();
    this.outageSince ??= now;
    if (now - this.outageLoggedAt < OUTAGE_LOG_INTERVAL_MS) return;
    this.outageLoggedAt = now;
    // The message only: an ioredis error carries no credentials, but the URL is never logged.
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      { failOpenCount: this.failOpenCount, reason },
      'Redis unavailable: rate limits are not enforced until it answers again (fail open)',
    );
  }
}
