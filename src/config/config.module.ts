import { Global, Module } from '@nestjs/common';
import { type AppConfig } from './app-config.js';

/** Injection token for the typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Provides the already-validated configuration to every module. The config is loaded before the
 * Nest app is created (the database may need to start first), so this module only carries it.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig) {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
