export { AccountModule } from './account.module.js';
export { UsersService, type UserView } from './users/users.service.js';
export { SessionsService } from './sessions/sessions.service.js';
export { TokensService, type TokenView, type AdminTokenView } from './tokens/tokens.service.js';
export {
  TokenPolicyService,
  type TokenPolicyOverride,
  type TokenPolicyView,
  type PolicyViolatorView,
} from './tokens/token-policy.service.js';
export { StaleTokensSweeper } from './tokens/stale-tokens.sweeper.js';
export {
  evaluateTokenPolicy,
  tokenPolicyProblem,
  TOKEN_POLICY_RULES,
  type TokenPolicy,
  type TokenPolicyRule,
} from './tokens/token-policy.js';
export { UserEntity } from './users/user.entity.js';
export { NotificationPreferences } from './notifications/notification-preferences.js';
export {
  NOTIFICATION_CATEGORIES,
  type NotificationCategory,
} from './notifications/notification-categories.js';
export { MembershipsService } from './memberships/memberships.service.js';
export { memberHoldsAnyTagSql } from './memberships/membership-sql.js';
export { MEMBER_TAG, MemberTagList } from './memberships/member-tags.js';
