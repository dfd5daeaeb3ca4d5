import type { DynamicModule } from '@nestjs/common';
import { CasesModule, loadCasesConfig, loadPolicy, readCustomerCases } from '@rapport/cases';
import type { EventStore } from '@rapport/event-store';
import type { Keyring } from '@rapport/personal-data';
import { IngestModule } from '@rapport/ingest';
import { loadLoyaltyConfig, loadRules, LoyaltyModule } from '@rapport/loyalty';
import type { Logger } from '@rapport/platform';
import { checkConsents, PrivacyModule } from '@rapport/privacy';
import { loadSegmentsConfig, SegmentsModule, settingsOf } from '@rapport/segments';
import { TimelineModule } from '@rapport/timeline';

/** What the embedded process hands every service module it mounts. */
export interface EmbeddedServices {
  /** The event store as services see it: personal fields encrypted at rest. */
  readonly store: EventStore;
  /** The customers' data keys; erasure destroys them. */
  readonly keyring?: Keyring;
  /** The `rapport` database: read models live here next to the event store's schema. */
  readonly databaseUrl: string;
  readonly logger: Logger;
}

/** The /v1 APIs the embedded app serves, for the `rapport up` banner. */
export const MOUNTED_APIS: readonly { readonly path: string; readonly what: string }[] = [
  { path: '/v1/events', what: 'emit events (POST /v1/events, POST /v1/events/batch)' },
  { path: '/v1/customers', what: 'customer search, profiles and unified timelines' },
  { path: '/v1/customers/{id}/loyalty', what: 'loyalty balances, ledger, redemptions, adjustments' },
  { path: '/v1/loyalty', what: 'loyalty summary per tier and month, what-if simulations' },
  { path: '/v1/cases', what: 'work queue of complaints and callbacks, with history and SLA clocks' },
  { path: '/v1/complaints', what: 'staff actions on complaints (respond, escalate, assign, resolve, reopen)' },
  { path: '/v1/callbacks', what: 'staff actions on callbacks (schedule, complete, cancel)' },
  { path: '/v1/service/metrics', what: 'SLA attainment, response percentiles, CSAT and NPS' },
  { path: '/v1/segments', what: 'RFM segments, movements, value models and their validation; /v1/customers/{id}/segment' },
  { path: '/v1/admin/projections', what: 'projection status, rebuild, verify, parked events' },
  { path: '/v1/consents', what: 'consent audience check; /v1/customers/{id}/consents; /v1/compliance/violations' },
  { path: '/v1/customers/{id}/export', what: 'subject access export (admin); POST /v1/customers/{id}/erasure; /v1/admin/audit' },
];

/**
 * THE LIST OF SERVICE MODULES mounted in the one embedded app. To add a service (timeline,
 * projections, …): import its module, add `XModule.register(...)` here, and add its paths
 * to MOUNTED_APIS.
 */
export function serviceModules(services: EmbeddedServices): DynamicModule[] {
  // Read at boot: a bad rules file stops the start with the file and the path that is wrong.
  const loyalty = loadLoyaltyConfig();
  // Likewise the SLA policy: a bad file names the path that is wrong.
  const cases = loadCasesConfig();
  const segments = loadSegmentsConfig();
  return [
    IngestModule.register({ store: services.store }),
    // One database: the profile's open complaints and pending callbacks are read from the cases model.
    TimelineModule.register({ store: services.store, databaseUrl: services.databaseUrl, logger: services.logger, customerCases: readCustomerCases }),
    LoyaltyModule.register({
      store: services.store,
      databaseUrl: services.databaseUrl,
      logger: services.logger,
      rules: loadRules(loyalty.LOYALTY_RULES_FILE),
      schedulerIntervalMs: loyalty.LOYALTY_SCHEDULER_INTERVAL_MS,
    }),
    CasesModule.register({
      store: services.store,
      databaseUrl: services.databaseUrl,
      logger: services.logger,
      policy: loadPolicy(cases.CASES_SLA_POLICY_FILE),
      schedulerIntervalMs: cases.CASES_SCHEDULER_INTERVAL_MS,
    }),
    SegmentsModule.register({
      store: services.store,
      databaseUrl: services.databaseUrl,
      logger: services.logger,
      settings: settingsOf(segments),
      recomputeIntervalMs: segments.SEGMENTS_RECOMPUTE_INTERVAL_MS,
      // One database: marketing CSV exports leave out customers the consent model says no for.
      consentCheck: checkConsents,
    }),
    PrivacyModule.register({ store: services.store, databaseUrl: services.databaseUrl, logger: services.logger, keyring: services.keyring }),
  ];
}
