import type { ThrottlerStorage } from '@nestjs/throttler';

export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** What the readiness check reports about where rate-limit counters live. */
export interface RateLimitStorageStatus {
  /** `memory`: this process only; `redis`: shared by every instance on the same Redis. */
  readonly store: 'memory' | 'redis';
  /** False while the shared store cannot be reached (requests are then let through). */
  readonly connected: boolean;
  /** Hits let through uncounted because the shared store failed, since the process started. */
  readonly failOpenCount: number;
}

/**
 * The counter store behind the RateLimiter, plus what health reporting needs to know about it.
 * The class is the injection token. Its records have @nestjs/throttler's shape, but increment may
 * answer synchronously: the in-memory store does, so an ordinary request is counted without a
 * promise; the Redis store returns one.
 */
export abstract class RateLimitStorage {
  abstract increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): ThrottlerStorageRecord | Promise<ThrottlerStorageRecord>;

  abstract status(): RateLimitStorageStatus;
}
