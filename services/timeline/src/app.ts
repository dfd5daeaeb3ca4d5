import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiKeyStore, type Logger } from '@rapport/platform';
import { PlatformModule, createHttpApp, type ReadinessCheck } from '@rapport/platform/nest';
import type { TimelineOptions } from './timeline';
import { TimelineModule } from './timeline.module';

export interface TimelineAppOptions extends TimelineOptions {
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly readiness?: readonly ReadinessCheck[];
}

/** The standalone timeline service: platform (auth, health, metrics, docs) plus the timeline and projection admin APIs. Not yet listening. */
export async function createTimelineApp(options: TimelineAppOptions): Promise<NestFastifyApplication> {
  @Module({
    imports: [
      PlatformModule.forRoot({ apiKeys: options.apiKeys, readiness: options.readiness, serviceName: 'timeline' }),
      TimelineModule.register(options),
    ],
  })
  class TimelineAppModule {}

  return createHttpApp(TimelineAppModule, {
    logger: options.logger,
    docs: { title: 'Rapport timeline', version: '1', description: 'Unified customer service history, profile summaries and customer search.' },
  });
}
