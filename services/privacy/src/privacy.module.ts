import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { ProjectionsAdminModule } from '@rapport/projections/nest';
import { ConsentsController } from './consents/consents.controller';
import { PRIVACY, startPrivacy, type Privacy, type PrivacyOptions } from './privacy';

@Injectable()
class PrivacyLifecycle implements OnModuleDestroy {
  constructor(@Inject(PRIVACY) private readonly privacy: Privacy) {}

  onModuleDestroy(): Promise<void> {
    return this.privacy.stop();
  }
}

/** The privacy APIs: consents and their check, compliance violations. Needs PlatformModule in the app. */
@Module({})
export class PrivacyModule {
  static register(options: PrivacyOptions): DynamicModule {
    return {
      module: PrivacyModule,
      imports: [ProjectionsAdminModule],
      controllers: [ConsentsController],
      providers: [{ provide: PRIVACY, useFactory: () => startPrivacy(options) }, PrivacyLifecycle],
      exports: [PRIVACY],
    };
  }
}
