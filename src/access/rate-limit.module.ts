import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { FixedWindowThrottlerStorage } from './fixed-window-storage.js';
import { RateLimiter } from './rate-limiter.js';

/** A @nestjs/throttler storage behind the RateLimiter used by the guard and sign-in. */
@Module({
  providers: [{ provide: ThrottlerStorage, useClass: FixedWindowThrottlerStorage }, RateLimiter],
  exports: [RateLimiter],
})
export class RateLimitModule {}
