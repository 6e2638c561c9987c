import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AccountModule } from '../modules/account/account.module.js';
import { AccessGuard } from './access.guard.js';
import { AuditModule } from './audit/audit.module.js';
import { PatStrategy } from './pat.strategy.js';
import { RateLimitModule } from './rate-limit.module.js';
import { DeclaredRoutes, RouteDeclarationCheck } from './route-declarations.js';
import { WebhookVerifierRegistry } from './webhook-verifiers.js';

/**
 * The access layer: the global guard, PAT verification, rate limits, the webhook verifier
 * registry and the boot-time check that every route declares its access kind.
 */
@Global()
@Module({
  imports: [DiscoveryModule, PassportModule, AccountModule, AuditModule, RateLimitModule],
  providers: [
    PatStrategy,
    WebhookVerifierRegistry,
    DeclaredRoutes,
    RouteDeclarationCheck,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [WebhookVerifierRegistry, DeclaredRoutes],
})
export class AccessModule {}
