export {
  type AppConfig,
  type StripeConfig,
  type TokenPolicyConfig,
  type MailConfig,
  ConfigValidationError,
  loadConfig,
  LOG_LEVELS,
  type LogLevel,
} from './app-config.js';
export { APP_CONFIG, ConfigModule } from './config.module.js';
