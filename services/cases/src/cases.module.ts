import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectionsAdminModule } from '@rapport/projections/nest';
import { CallbacksController } from './callbacks.controller';
import { CASES, openCasesReader, startCases, type CasesOptions, type CasesReader } from './cases';
import { CasesController } from './cases.controller';
import { ActOnCaseHandler } from './commands/act-on-case';
import { ComplaintsController } from './complaints.controller';

@Injectable()
class CasesLifecycle implements OnModuleDestroy {
  constructor(@Inject(CASES) private readonly cases: CasesReader) {}

  onModuleDestroy(): Promise<void> {
    return this.cases.stop();
  }
}

/**
 * The cases APIs (/v1/cases, /v1/complaints, /v1/callbacks, /v1/service/metrics). Starting
 * the module starts the read model and the scheduler (unless `runProjections` is false:
 * an API-only replica); closing the app stops them. Needs
 * PlatformModule in the app.
 */
@Module({})
export class CasesModule {
  static register(options: CasesOptions): DynamicModule {
    return {
      module: CasesModule,
      imports: [CqrsModule.forRoot(), ProjectionsAdminModule],
      controllers: [CasesController, ComplaintsController, CallbacksController],
      providers: [{ provide: CASES, useFactory: () => (options.runProjections === false ? openCasesReader(options) : startCases(options)) }, CasesLifecycle, ActOnCaseHandler],
      exports: [CASES],
    };
  }
}
