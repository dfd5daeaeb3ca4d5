import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiKeyStore, type Logger } from '@rapport/platform';
import { PlatformModule, createHttpApp } from '@rapport/platform/nest';
import type { LoyaltyOptions } from './loyalty';
import { LoyaltyModule } from './loyalty.module';

export interface LoyaltyAppOptions extends LoyaltyOptions {
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
}

/** The loyalty service on its own: platform (auth, health, metrics, docs) plus the loyalty APIs. Not yet listening. */
export async function createLoyaltyApp(options: LoyaltyAppOptions): Promise<NestFastifyApplication> {
  @Module({
    imports: [PlatformModule.forRoot({ apiKeys: options.apiKeys, serviceName: 'loyalty' }), LoyaltyModule.register(options)],
  })
  class LoyaltyAppModule {}

  return createHttpApp(LoyaltyAppModule, {
    logger: options.logger,
    docs: { title: 'Rapport loyalty', version: '1', description: 'Loyalty points, tiers, expiry and redemptions.' },
  });
}
