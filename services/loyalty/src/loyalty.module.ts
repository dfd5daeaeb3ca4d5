import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectionsAdminModule } from '@rapport/projections/nest';
import { AccountController } from './account.controller';
import { AdjustPointsHandler } from './adjustment/adjust-points';
import { LOYALTY, startLoyalty, type Loyalty, type LoyaltyOptions } from './loyalty';
import { RedeemPointsHandler } from './redemption/redeem-points';
import { SummaryController } from './summary.controller';

@Injectable()
class LoyaltyLifecycle implements OnModuleDestroy {
  constructor(@Inject(LOYALTY) private readonly loyalty: Loyalty) {}

  onModuleDestroy(): Promise<void> {
    return this.loyalty.stop();
  }
}

/**
 * The loyalty APIs (/v1/customers/:id/loyalty…, /v1/loyalty…). Starting the module starts
 * the processor, the read model and the scheduler; closing the app stops them. Needs
 * PlatformModule in the app.
 */
@Module({})
export class LoyaltyModule {
  static register(options: LoyaltyOptions): DynamicModule {
    return {
      module: LoyaltyModule,
      imports: [CqrsModule.forRoot(), ProjectionsAdminModule],
      controllers: [AccountController, SummaryController],
      providers: [{ provide: LOYALTY, useFactory: () => startLoyalty(options) }, LoyaltyLifecycle, RedeemPointsHandler, AdjustPointsHandler],
      exports: [LOYALTY],
    };
  }
}
