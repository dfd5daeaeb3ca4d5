import { env, loadConfig, loadConfigs, type Env } from '@rapport/platform';
import type { StoreSelection } from '@rapport/event-store';
import { loadModes, type BusConfig } from '@rapport/kafka';
import { loadMasterKeysFromEnv, type MasterKeys } from '@rapport/personal-data';
import { z } from 'zod';

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier');

export const timelineConfigSchema = z.object({
  /** Holds the read models and API keys; also the event store when RAPPORT_EVENT_STORE=postgres. */
  DATABASE_URL: env.postgresUrl(),
  PORT: env.port(3002),
  HOST: env.host('0.0.0.0'),
  LOG_LEVEL: env.logLevel('info'),
  EVENT_STORE_SCHEMA: identifier.default('rapport_events'),
  DB_POOL_SIZE: env.int({ min: 2, max: 100, default: 10 }),
  /** Events per projection transaction when following the store (live with RAPPORT_BUS=none, and rebuilds). */
  PROJECTION_BATCH_SIZE: env.int({ min: 1, max: 10_000, default: 1000 }),
  /** `false` for API-only replicas. With RAPPORT_BUS=none exactly one deployment should run the projectors. */
  RUN_PROJECTIONS: env.boolean(true),
  /** Console sessions unused for this long end; this service answers /v1/session for the console in the scaled mode. */
  RAPPORT_SESSION_IDLE_MINUTES: env.int({ min: 1, max: 24 * 60, default: 30 }),
  /**
   * The cases service (e.g. http://cases-api:3005): the profile's open complaints and pending
   * callbacks are asked of it with the caller's credentials. Unset: the timeline's own rows.
   */
  CASES_URL: env.url(['http', 'https']).optional(),
});

export interface TimelineConfig extends Readonly<z.infer<typeof timelineConfigSchema>> {
  readonly store: StoreSelection;
  /** `kafka`: the projectors consume the topic as a consumer group; `none`: they follow the store. */
  readonly bus: BusConfig;
  /** Opens the personal fields the store and Kafka hold sealed (RAPPORT_MASTER_KEYS, RAPPORT_MASTER_KEY_ID). */
  readonly masterKeys: MasterKeys;
}

/** Reads the environment once at boot; throws one ConfigError naming every bad variable, its own, the mode switches' and the master keys'. */
export function loadTimelineConfig(environment: Env = process.env): TimelineConfig {
  const { own, modes, masterKeys } = loadConfigs(
    { own: () => loadConfig(timelineConfigSchema, environment, 'timeline'), modes: () => loadModes(environment), masterKeys: () => loadMasterKeysFromEnv(environment) },
    'timeline',
  );
  return Object.freeze({ ...own, store: modes.store, bus: modes.bus, masterKeys });
}
