import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ProjectionsAdminModule } from '@rapport/projections/nest';
import { AuditController } from './audit/audit.controller';
import { AccessAuditInterceptor } from './audit/audit.interceptor';
import { ConsentsController } from './consents/consents.controller';
import { ErasureController } from './erasure/erasure.controller';
import { ExportController } from './export/export.controller';
import { MasterKeysController } from './keys/master-keys.controller';
import { PRIVACY, startPrivacy, type Privacy, type PrivacyOptions } from './privacy';

@Injectable()
class PrivacyLifecycle implements OnModuleDestroy {
  constructor(@Inject(PRIVACY) private readonly privacy: Privacy) {}

  onModuleDestroy(): Promise<void> {
    return this.privacy.stop();
  }
}

/**
 * The privacy APIs: consents and their check, compliance violations, the access audit. Mounting
 * it audits every read of a customer's data in the whole app. Needs PlatformModule in the app.
 */
@Module({})
export class PrivacyModule {
  static register(options: PrivacyOptions): DynamicModule {
    return {
      module: PrivacyModule,
      imports: [ProjectionsAdminModule],
      controllers: [ConsentsController, AuditController, ExportController, ErasureController, MasterKeysController],
      providers: [{ provide: PRIVACY, useFactory: () => startPrivacy(options) }, PrivacyLifecycle, { provide: APP_INTERCEPTOR, useClass: AccessAuditInterceptor }],
      exports: [PRIVACY],
    };
  }
}
