import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiKeyStore, type Logger } from '@rapport/platform';
import { PlatformModule, createHttpApp, type ReadinessCheck } from '@rapport/platform/nest';
import type { CasesOptions } from './cases';
import { CasesModule } from './cases.module';

export interface CasesAppOptions extends CasesOptions {
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly readiness?: readonly ReadinessCheck[];
}

/** The cases service on its own: platform (auth, health, metrics, docs) plus the cases APIs. Not yet listening. */
export async function createCasesApp(options: CasesAppOptions): Promise<NestFastifyApplication> {
  @Module({
    imports: [PlatformModule.forRoot({ apiKeys: options.apiKeys, readiness: options.readiness, serviceName: 'cases' }), CasesModule.register(options)],
  })
  class CasesAppModule {}

  return createHttpApp(CasesAppModule, {
    logger: options.logger,
    docs: { title: 'Rapport cases', version: '1', description: 'Complaints and callbacks as handled work: lifecycle, SLA clocks, CSAT and NPS.' },
  });
}
