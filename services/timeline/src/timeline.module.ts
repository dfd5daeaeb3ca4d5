import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { ProjectionsAdminModule } from '@rapport/projections/nest';
import { ProfileController } from './customer-profiles/profile.controller';
import { IdentitiesController } from './identities/identities.controller';
import { SearchController } from './search/search.controller';
import { startTimeline, TIMELINE, type Timeline, type TimelineOptions } from './timeline';
import { TimelineController } from './timeline-entries/timeline.controller';

@Injectable()
class TimelineLifecycle implements OnModuleDestroy {
  constructor(@Inject(TIMELINE) private readonly timeline: Timeline) {}

  onModuleDestroy(): Promise<void> {
    return this.timeline.stop();
  }
}

/**
 * The timeline APIs (/v1/customers…) and the admin API of every projection in the process
 * (/v1/admin/projections). Starting the module starts the projectors (unless
 * `runProjections` is false); closing the app stops them. Needs PlatformModule in the app.
 */
@Module({})
export class TimelineModule {
  static register(options: TimelineOptions): DynamicModule {
    return {
      module: TimelineModule,
      imports: [ProjectionsAdminModule],
      controllers: [SearchController, ProfileController, IdentitiesController, TimelineController],
      providers: [{ provide: TIMELINE, useFactory: () => startTimeline(options) }, TimelineLifecycle],
      exports: [TIMELINE],
    };
  }
}
