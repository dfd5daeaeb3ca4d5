import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { ApiKeyStore } from '../auth/api-keys';
import { metrics } from '../metrics';
import { API_KEY_STORE, ApiKeyGuard } from './auth.guard';
import { OperationsController, READINESS_CHECKS, SERVICE_NAME, type ReadinessCheck } from './operations.controller';

export interface PlatformModuleOptions {
  readonly apiKeys: ApiKeyStore;
  readonly readiness?: readonly ReadinessCheck[];
  readonly serviceName: string;
}

/** Auth guard, health probes and /metrics for every service; import once in the root module. */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    metrics.collectDefaults();
    return {
      module: PlatformModule,
      global: true,
      controllers: [OperationsController],
      providers: [
        { provide: API_KEY_STORE, useValue: options.apiKeys },
        { provide: READINESS_CHECKS, useValue: options.readiness ?? [] },
        { provide: SERVICE_NAME, useValue: options.serviceName },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [API_KEY_STORE, SERVICE_NAME],
    };
  }
}
