import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiKeyStore, type Logger } from '@rapport/platform';
import { PlatformModule, createHttpApp } from '@rapport/platform/nest';
import type { SegmentsOptions } from './segments';
import { SegmentsModule } from './segments.module';

export interface SegmentsAppOptions extends SegmentsOptions {
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
}

/** The segments service on its own: platform (auth, health, metrics, docs) plus the segments APIs. Not yet listening. */
export async function createSegmentsApp(options: SegmentsAppOptions): Promise<NestFastifyApplication> {
  @Module({
    imports: [PlatformModule.forRoot({ apiKeys: options.apiKeys, serviceName: 'segments' }), SegmentsModule.register(options)],
  })
  class SegmentsAppModule {}

  return createHttpApp(SegmentsAppModule, {
    logger: options.logger,
    docs: { title: 'Rapport segments', version: '1', description: 'RFM segments, net value, growth, churn risk and lifetime value.' },
  });
}
