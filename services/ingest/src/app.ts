import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EventStore } from '@rapport/event-store';
import { type ApiKeyStore, type Logger } from '@rapport/platform';
import { PlatformModule, createHttpApp, type ReadinessCheck } from '@rapport/platform/nest';
import { IngestModule } from './ingest.module';

export interface IngestAppOptions {
  readonly store: EventStore;
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly readiness?: readonly ReadinessCheck[];
  readonly bodyLimitBytes?: number;
  readonly now?: () => Date;
}

/** The standalone ingest service: platform (auth, health, metrics, docs) plus the emit API. Not yet listening. */
export async function createIngestApp(options: IngestAppOptions): Promise<NestFastifyApplication> {
  @Module({
    imports: [
      PlatformModule.forRoot({ apiKeys: options.apiKeys, readiness: options.readiness, serviceName: 'ingest' }),
      IngestModule.register({ store: options.store, now: options.now }),
    ],
  })
  class IngestAppModule {}

  return createHttpApp(IngestAppModule, {
    logger: options.logger,
    bodyLimitBytes: options.bodyLimitBytes,
    docs: { title: 'Rapport ingest', version: '1', description: 'Emit customer-interaction events into Rapport.' },
  });
}
