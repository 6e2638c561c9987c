import { Module } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { RateLimiter } from './rate-limiter.js';

/** @nestjs/throttler's in-memory storage behind the RateLimiter used by the guard and sign-in. */
@Module({
  providers: [ThrottlerStorageService, RateLimiter],
  exports: [RateLimiter],
})
export class RateLimitModule {}
