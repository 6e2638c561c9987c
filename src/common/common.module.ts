import { Global, Module } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '../config/index.js';
import { Clock, SystemClock } from './clock.js';
import { SecretBox } from './security/secret-box.js';

/** Foundations every module may inject: the clock and the secret box (keyed from the config). */
@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SecretBox(config.secretsKey),
    },
  ],
  exports: [Clock, SecretBox],
})
export class CommonModule {}
