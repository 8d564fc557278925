import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LoginService } from './auth/login.service';
import { PasswordHasher } from './auth/password-hasher';
import type { IdentityConfig } from './identity.config';
import { IdentityMetrics } from './identity.metrics';
import { IDENTITY_CONFIG } from './identity.tokens';

/**
 * The service's Nest module. The DataSource is created (and migrated) before Nest starts, so it comes in
 * as a value: start-up fails fast on a bad database, and stop() decides when it closes.
 */
@Module({})
export class IdentityModule {
  static forRoot(options: { config: IdentityConfig; dataSource: DataSource; metrics: IdentityMetrics; hasher: PasswordHasher }): DynamicModule {
    return {
      module: IdentityModule,
      providers: [
        { provide: IDENTITY_CONFIG, useValue: options.config },
        { provide: DataSource, useValue: options.dataSource },
        { provide: IdentityMetrics, useValue: options.metrics },
        { provide: PasswordHasher, useValue: options.hasher },
        LoginService,
      ],
      exports: [LoginService, PasswordHasher],
    };
  }
}
