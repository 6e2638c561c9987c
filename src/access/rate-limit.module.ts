import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { FixedWindowThrottlerStorage } from './fixed-window-storage.js';
import { RateLimitStorage } from './rate-limit-storage.js';
import { RateLimiter } from './rate-limiter.js';
import { RedisWindowStorage } from './redis-window-storage.js';

/**
 * The counter storage behind the RateLimiter used by the guard and sign-in: in this process by
 * default, in Redis (shared by every instance) when REDIS_URL is set.
 */
@Module({
  providers: [
    {
      provide: RateLimitStorage,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RateLimitStorage =>
        config.redisUrl
          ? new RedisWindowStorage(config.redisUrl, config.redisKeyPrefix)
          : new FixedWindowThrottlerStorage(),
    },
    RateLimiter,
  ],
  exports: [RateLimiter, RateLimitStorage],
})
export class RateLimitModule {}
