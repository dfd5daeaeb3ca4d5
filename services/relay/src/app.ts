import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Relay } from '@rapport/kafka';
import { type ApiKeyStore, type Logger } from '@rapport/platform';
import { PlatformModule, createHttpApp, type ReadinessCheck } from '@rapport/platform/nest';
import { RELAY, RelayStatusController } from './relay-status.controller';

export interface RelayAppOptions {
  readonly relay: Relay;
  readonly apiKeys: ApiKeyStore;
  readonly logger: Logger;
  readonly readiness?: readonly ReadinessCheck[];
}

/** The relay's HTTP side: health probes, /metrics and its status for admins. Not yet listening. */
export async function createRelayApp(options: RelayAppOptions): Promise<NestFastifyApplication> {
  @Module({
    imports: [PlatformModule.forRoot({ apiKeys: options.apiKeys, readiness: options.readiness, serviceName: 'relay' })],
    controllers: [RelayStatusController],
    providers: [{ provide: RELAY, useValue: options.relay }],
  })
  class RelayAppModule {}

  return createHttpApp(RelayAppModule, { logger: options.logger });
}

/** Ready while the relay holds the lease and publishes, or waits as a standby; not while it keeps failing. */
export function relayReadiness(relay: Relay): ReadinessCheck {
  return {
    name: 'relay',
    check: async () => {
      const status = relay.status();
      if (status.state === 'retrying') throw new Error(`retrying after: ${status.lastError ?? 'unknown error'}`);
      if (status.state === 'stopped') throw new Error('stopped');
    },
  };
}
