import { type DynamicModule, Global, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { ContentTypeGuard } from '../common/index.js';
import { AccessGuard } from './access.guard.js';
import { AuditModule } from './audit/audit.module.js';
import { IdentificationService } from './identification.service.js';
import { PatStrategy } from './pat.strategy.js';
import { RateLimitModule } from './rate-limit.module.js';
import { DeclaredRoutes, RouteDeclarationCheck } from './route-declarations.js';
import { TokenResourcesInterceptor } from './token-resources.js';
import { WebhookVerifierRegistry } from './webhook-verifiers.js';

type ImportableModule = NonNullable<ModuleMetadata['imports']>[number];

/**
 * The access layer: the global guard, caller identification, PAT verification, rate limits, the
 * webhook verifier registry and the boot-time check that every route declares its access kind.
 * Access sits below the modules: the composition root names the module that provides
 * the CredentialStore (see credentials.ts), so nothing here imports a module.
 */
@Global()
@Module({})
export class AccessModule {
  static forRoot(options: { credentials: ImportableModule }): DynamicModule {
    return {
      module: AccessModule,
      imports: [DiscoveryModule, AuditModule, RateLimitModule, options.credentials],
      providers: [
        PatStrategy,
        IdentificationService,
        WebhookVerifierRegistry,
        DeclaredRoutes,
        RouteDeclarationCheck,
        { provide: APP_GUARD, useClass: AccessGuard },
        // After the access guard: who may call the route is decided before what they sent.
        { provide: APP_GUARD, useClass: ContentTypeGuard },
        // A pinned token's resources, for the services' ownership checks (token-resources.ts).
        { provide: APP_INTERCEPTOR, useClass: TokenResourcesInterceptor },
      ],
      // RateLimitModule: health reports where the counters live and whether they are reachable.
      exports: [WebhookVerifierRegistry, DeclaredRoutes, RateLimitModule],
    };
  }
}
