import type { DynamicModule } from '@nestjs/common';
import type { PostgresEventStore } from '@rapport/event-store';
import { IngestModule } from '@rapport/ingest';
import type { Logger } from '@rapport/platform';
import { TimelineModule } from '@rapport/timeline';

/** What the embedded process hands every service module it mounts. */
export interface EmbeddedServices {
  readonly store: PostgresEventStore;
  /** The `rapport` database: read models live here next to the event store's schema. */
  readonly databaseUrl: string;
  readonly logger: Logger;
}

/** The /v1 APIs the embedded app serves, for the `rapport up` banner. */
export const MOUNTED_APIS: readonly { readonly path: string; readonly what: string }[] = [
  { path: '/v1/events', what: 'emit events (POST /v1/events, POST /v1/events/batch)' },
  { path: '/v1/customers', what: 'customer search, profiles and unified timelines' },
  { path: '/v1/admin/projections', what: 'projection status, rebuild, verify, parked events' },
];

/**
 * THE LIST OF SERVICE MODULES mounted in the one embedded app. To add a service (timeline,
 * projections, …): import its module, add `XModule.register(...)` here, and add its paths
 * to MOUNTED_APIS.
 */
export function serviceModules(services: EmbeddedServices): DynamicModule[] {
  return [
    IngestModule.register({ store: services.store }),
    TimelineModule.register({ store: services.store, databaseUrl: services.databaseUrl, logger: services.logger }),
  ];
}
