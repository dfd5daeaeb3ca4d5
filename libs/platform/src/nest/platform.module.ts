import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { ApiKeyStore } from '../auth/api-keys';
import type { StaffStore } from '../auth/staff';
import { metrics } from '../metrics';
import { API_KEY_STORE, ApiKeyGuard, STAFF_STORE } from './auth.guard';
import { SessionController } from './session.controller';
import { StaffController } from './staff.controller';
import { OperationsController, READINESS_CHECKS, SERVICE_NAME, type ReadinessCheck } from './operations.controller';

export interface PlatformModuleOptions {
  readonly apiKeys: ApiKeyStore;
  readonly readiness?: readonly ReadinessCheck[];
  readonly serviceName: string;
  /** Staff accounts: the guard then also accepts a session cookie, and /v1/session and /v1/admin/staff are mounted. */
  readonly staff?: StaffStore;
}

/** Auth guard, health probes and /metrics for every service; import once in the root module. */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    metrics.collectDefaults();
    return {
      module: PlatformModule,
      global: true,
      controllers: [OperationsController, ...(options.staff ? [SessionController, StaffController] : [])],
      providers: [
        { provide: API_KEY_STORE, useValue: options.apiKeys },
        ...(options.staff ? [{ provide: STAFF_STORE, useValue: options.staff }] : []),
        { provide: READINESS_CHECKS, useValue: options.readiness ?? [] },
        { provide: SERVICE_NAME, useValue: options.serviceName },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [API_KEY_STORE, SERVICE_NAME],
    };
  }
}
