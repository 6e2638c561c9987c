import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BillingModule } from '../billing/index.js';
import { RegisterWorkflows } from '../../catalog/workflows.js';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { RegisterDomainEvents } from '../../events/index.js';
import { AccountModule } from '../account/index.js';
import { ContentModule } from '../content/index.js';
import { BindingsController } from './bindings/bindings.controller.js';
import { BindingsService } from './bindings/bindings.service.js';
import { WorkspaceBindingEntity } from './bindings/workspace-binding.entity.js';
import { HttpWorkspaceController } from './controller/http-workspace-controller.js';
import { LocalWorkspaceController } from './controller/local-workspace-controller.js';
import { WorkspaceController } from './controller/workspace-controller.js';
import { AutomationFiringEntity } from './rules/automation-firing.entity.js';
import { AutomationRuleEntity } from './rules/automation-rule.entity.js';
import { AutomationTriggers } from './rules/automation-triggers.js';
import { HookSignatureEntity } from './rules/hook-signature.entity.js';
import { InboundHooksController } from './rules/inbound-hooks.controller.js';
import { InboundHooksService } from './rules/inbound-hooks.service.js';
import { RuleFiringService } from './rules/rule-firing.service.js';
import { RulesController } from './rules/rules.controller.js';
import { RulesService } from './rules/rules.service.js';
import { AutomationRunEntity } from './runs/automation-run.entity.js';
import { InternalRunsController } from './runs/internal-runs.controller.js';
import { RunAborts } from './runs/run-aborts.js';
import { RunWorker } from './runs/run-worker.js';
import { RunsController } from './runs/runs.controller.js';
import { RunsService } from './runs/runs.service.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SessionsService } from './sessions/sessions.service.js';
import { WorkspaceSessionEntity } from './sessions/workspace-session.entity.js';
import { WorkspaceCredits } from './workspace-credits.js';
import { BillingWorkspaceCredits } from './billing-workspace-credits.js';
import { WORKSPACE_EVENTS } from './workspace.events.js';
import { WorkspacePosts } from './workspace-posts.js';
import { WORKSPACE_WORKFLOWS } from './workspace.workflows.js';

/**
 * Workspace: sessions, bindings, automation rules and durable automation runs of a post's
 * workspace, executed through the WorkspaceController (HTTP when WORKSPACE_CONTROLLER_URL is set,
 * the built-in local one otherwise). README, "Workspace".
 */
@RegisterWorkflows(WORKSPACE_WORKFLOWS)
@RegisterDomainEvents(WORKSPACE_EVENTS)
@Module({
  imports: [
    TypeOrmModule.forFeature([
      WorkspaceSessionEntity,
      WorkspaceBindingEntity,
      AutomationRuleEntity,
      AutomationFiringEntity,
      HookSignatureEntity,
      AutomationRunEntity,
    ]),
    ContentModule,
    AccountModule,
    BillingModule,
  ],
  controllers: [
    SessionsController,
    BindingsController,
    RulesController,
    InboundHooksController,
    RunsController,
    InternalRunsController,
  ],
  providers: [
    {
      provide: WorkspaceController,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.workspace.controllerUrl
          ? new HttpWorkspaceController(config)
          : new LocalWorkspaceController(config),
    },
    // Billing's AI credit balance (UnlimitedWorkspaceCredits remains for a build without Billing).
    { provide: WorkspaceCredits, useClass: BillingWorkspaceCredits },
    WorkspacePosts,
    SessionsService,
    BindingsService,
    RulesService,
    RuleFiringService,
    InboundHooksService,
    AutomationTriggers,
    RunAborts,
    RunsService,
    RunWorker,
  ],
  exports: [WorkspaceController, RunsService],
})
export class WorkspaceModule {}
