import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../../access/audit/audit.module.js';
import { CredentialStore } from '../../access/credentials.js';
import { RateLimitModule } from '../../access/rate-limit.module.js';
import { AccountCredentialStore } from './account-credentials.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { MeController } from './me/me.controller.js';
import { SessionEntity } from './sessions/session.entity.js';
import { SessionsService } from './sessions/sessions.service.js';
import { PersonalAccessTokenEntity } from './tokens/personal-access-token.entity.js';
import { TokenScopeUsageEntity } from './tokens/token-scope-usage.entity.js';
import { TokenPolicyEntity } from './tokens/token-policy.entity.js';
import { TokenPolicyService } from './tokens/token-policy.service.js';
import { StaleTokensSweeper } from './tokens/stale-tokens.sweeper.js';
import { TokenCheckService } from './tokens/token-check.service.js';
import { TokenChildrenService } from './tokens/token-children.service.js';
import { CatalogModule } from '../../catalog/catalog.module.js';
import { TokensController } from './tokens/tokens.controller.js';
import { TokenRevocationListener } from './tokens/token-revocation.listener.js';
import { TokensService } from './tokens/tokens.service.js';
import { UserEntity } from './users/user.entity.js';
import { UsersService } from './users/users.service.js';
import { RegisterWorkflows } from '../../catalog/workflows.js';
import { ACCOUNT_WORKFLOWS } from './account.workflows.js';
import { RegisterDomainEvents } from '../../events/index.js';
import { ACCOUNT_EVENTS } from './account.events.js';
import { NotificationPreferences } from './notifications/notification-preferences.js';
import { NotificationSettingsController } from './notifications/notification-settings.controller.js';
import { NotificationSettingsEntity } from './notifications/notification-settings.entity.js';
import { NotificationSettingsService } from './notifications/notification-settings.service.js';
import { MembershipEntity } from './memberships/membership.entity.js';
import {
  CreatorMembershipController,
  MembersController,
} from './memberships/memberships.controller.js';
import { MembershipsService } from './memberships/memberships.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/index.js';
import { createMailer, Mailer } from './mail/mailer.js';
import { MailOutboxEntity } from './mail/mail-outbox.entity.js';
import { MailQueue } from './mail/mail-queue.js';
import { MailSender } from './mail/mail-sender.js';
import { TokenExpiryNoticeEntity } from './tokens/token-expiry-notice.entity.js';
import { TokenExpirySweep } from './tokens/token-expiry-sweep.js';
import { LeakedTokensController } from './tokens/leaked-tokens.controller.js';
import { LeakedTokensService } from './tokens/leaked-tokens.service.js';

/**
 * Users, browser sessions and personal access tokens (Settings → API), notification settings,
 * outgoing email (the mail queue and sender).
 * Provides the access layer's CredentialStore.
 */
@RegisterWorkflows(ACCOUNT_WORKFLOWS)
@RegisterDomainEvents(ACCOUNT_EVENTS)
@Module({
  imports: [
    TypeOrmModule.forFeature([
      UserEntity,
      SessionEntity,
      PersonalAccessTokenEntity,
      TokenScopeUsageEntity,
      TokenPolicyEntity,
      NotificationSettingsEntity,
      MembershipEntity,
      MailOutboxEntity,
      TokenExpiryNoticeEntity,
    ]),
    AuditModule,
    RateLimitModule,
    CatalogModule,
  ],
  controllers: [
    AuthController,
    TokensController,
    LeakedTokensController,
    MeController,
    NotificationSettingsController,
    CreatorMembershipController,
    MembersController,
  ],
  providers: [
    UsersService,
    SessionsService,
    TokensService,
    TokenPolicyService,
    StaleTokensSweeper,
    TokenCheckService,
    TokenChildrenService,
    TokenRevocationListener,
    AuthService,
    { provide: CredentialStore, useClass: AccountCredentialStore },
    NotificationSettingsService,
    NotificationPreferences,
    MembershipsService,
    {
      provide: Mailer,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createMailer(config.mail, config.dataDir),
    },
    MailSender,
    MailQueue,
    TokenExpirySweep,
    LeakedTokensService,
  ],
  exports: [
    UsersService,
    SessionsService,
    TokensService,
    TokenPolicyService,
    StaleTokensSweeper,
    CredentialStore,
    NotificationPreferences,
    MembershipsService,
  ],
})
export class AccountModule {}
