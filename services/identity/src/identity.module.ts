import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LoginService } from './auth/login.service';
import { PasswordHasher } from './auth/password-hasher';
import type { IdentityConfig } from './identity.config';
import { IdentityMetrics } from './identity.metrics';
import { IDENTITY_CONFIG, IDENTITY_RATE_LIMITER } from './identity.tokens';
import type { RateLimiter } from '@switchboard/service-kit';

/**
 * The service's Nest module. The DataSource is created (and migrated) before Nest starts, so it comes in
 * as a value: start-up fails fast on a bad database, and stop() decides when it closes.
 */
@Module({})
export class IdentityModule {
  static forRoot(options: {
    config: IdentityConfig;
    dataSource: DataSource;
    metrics: IdentityMetrics;
    hasher: PasswordHasher;
    rateLimiter: RateLimiter;
  }): DynamicModule {
    return {
      module: IdentityModule,
      providers: [
        { provide: IDENTITY_CONFIG, useValue: options.config },
        { provide: DataSource, useValue: options.dataSource },
        { provide: IdentityMetrics, useValue: options.metrics },
        { provide: PasswordHasher, useValue: options.hasher },
        { provide: IDENTITY_RATE_LIMITER, useValue: options.rateLimiter },
        LoginService,
      ],
      exports: [LoginService, PasswordHasher],
    };
  }
}
