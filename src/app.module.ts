import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { CommonModule, ProblemFilter } from './common/index.js';
import { loggerParams } from './common/logging.js';
import { type AppConfig, ConfigModule } from './config/index.js';
import { DatabaseModule, type DatabaseTarget } from './database/index.js';
import { EventsModule } from './events/index.js';
import { HealthModule } from './health/health.module.js';
import { AccessModule } from './access/access.module.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { AccountModule } from './modules/account/account.module.js';
import { AdminModule } from './modules/admin/admin.module.js';
import { AgentsModule } from './modules/agents/index.js';
import { ContentModule } from './modules/content/content.module.js';
import { SharingModule } from './modules/sharing/sharing.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { BillingModule } from './modules/billing/billing.module.js';
import { WorkspaceModule } from './modules/workspace/workspace.module.js';

@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    database: DatabaseTarget,
    extraImports: ModuleMetadata['imports'] = [],
    logDestination?: DestinationStream,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, logDestination)),
        DatabaseModule.forRoot(database),
        CommonModule,
        EventsModule,
        AccessModule.forRoot({ credentials: AccountModule }),
        HealthModule,
        AccountModule,
        AdminModule,
        ContentModule,
        SharingModule,
        WebhooksModule,
        BillingModule,
        WorkspaceModule,
        AgentsModule,
        CatalogModule,
        ...extraImports,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
