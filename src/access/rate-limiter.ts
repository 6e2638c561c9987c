import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { ProblemException } from '../common/index.js';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { RateLimitStorage, type ThrottlerStorageRecord } from './rate-limit-storage.js';

export interface RateLimitPolicy {
  /** Names the counter family, e.g. `api` or `login-email`. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Fixed-window counters in a RateLimitStorage (in memory, or Redis shared by every instance). The access guard calls it once it knows
 * who is calling (so the key is the token or the user, not a shared IP); the login route calls it
 * per IP and per email.
 */
@Injectable()
export class RateLimiter {
  readonly authenticated: RateLimitPolicy;
  readonly anonymous: RateLimitPolicy;

  constructor(
    private readonly storage: RateLimitStorage,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.authenticated = { name: 'api', limit: config.rateLimitPerMinute, windowMs: 60_000 };
    this.anonymous = {
      name: 'api-anonymous',
      limit: config.anonymousRateLimitPerMinute,
      windowMs: 60_000,
    };
  }

  /**
   * Counts one hit; sets the RateLimit headers; throws 429 `rate_limited` past the limit.
   * Synchronous when the store answers synchronously (in memory), else a promise.
   */
  hit(policy: RateLimitPolicy, key: string, res?: Response): void | Promise<void> {
    const record = this.storage.increment(
      `${policy.name}:${key}`,
      policy.windowMs,
      policy.limit,
      policy.windowMs,
      policy.name,
    );
    return record instanceof Promise
      ? record.then((r) => this.apply(policy, r, res))
      : this.apply(policy, record, res);
  }

  private apply(policy: RateLimitPolicy, record: ThrottlerStorageRecord, res?: Response): void {
    const remaining = Math.max(0, policy.limit - record.totalHits);
    const reset = Math.max(
      0,
      Math.ceil(record.isBlocked ? record.timeToBlockExpire : record.timeToExpire),
    );
    const headers = {
      'RateLimit-Policy': `${policy.limit};w=${policy.windowMs / 1000}`,
      'RateLimit-Limit': String(policy.limit),
      'RateLimit-Remaining': String(remaining),
      'RateLimit-Reset': String(reset),
    };
    if (res && !res.headersSent)
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (record.isBlocked) {
      // The refusal describes the limit that refused, replacing whatever limit an earlier, more
      // lenient check (the anonymous per-IP one, say) had already put on the response.
      throw new ProblemException({
        code: 'rate_limited',
        detail: `Rate limit of ${policy.limit} requests per ${policy.windowMs / 1000} s reached; retry in ${reset} s.`,
        headers: { ...headers, 'Retry-After': String(Math.max(1, reset)) },
        extensions: { retryAfterSeconds: Math.max(1, reset) },
      });
    }
  }
}
