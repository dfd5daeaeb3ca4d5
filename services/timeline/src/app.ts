import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiKeyStore, type Logger, type StaffStore } from '@rapport/platform';
import { PlatformModule, createHttpApp, type ReadinessCheck } from '@rapport/platform/nest';
import type { TimelineOptions } from './timeline';
import { TimelineModule } from './timeline.module';

export interface TimelineAppOptions extends TimelineOptions {
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly readiness?: readonly ReadinessCheck[];
  /** Staff accounts: console sessions are accepted, and /v1/session and /v1/admin/staff are served here. */
  readonly staff?: StaffStore;
}

/** The standalone timeline service: platform (auth, health, metrics, docs) plus the timeline and projection admin APIs. Not yet listening. */
export async function createTimelineApp(options: TimelineAppOptions): Promise<NestFastifyApplication> {
  @Module({
    imports: [
      PlatformModule.forRoot({ apiKeys: options.apiKeys, staff: options.staff, readiness: options.readiness, serviceName: 'timeline' }),
      TimelineModule.register(options),
    ],
  })
  class TimelineAppModule {}

  return createHttpApp(TimelineAppModule, {
    logger: options.logger,
    docs: { title: 'Rapport timeline', version: '1', description: 'Unified customer service history, profile summaries and customer search.' },
  });
}
