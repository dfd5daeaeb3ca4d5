import type { StoreSelection } from '@rapport/event-store';
import { loadModes, type BusConfig } from '@rapport/kafka';
import { loadMasterKeysFromEnv, type MasterKeys } from '@rapport/personal-data';
import { env, loadConfig, loadConfigs, type Env } from '@rapport/platform';
import { z } from 'zod';
import { DEFAULT_POLICY_FILE } from './sla/policy';

export const casesConfigSchema = z.object({
  /** The SLA policy file (YAML), validated at boot; the shipped defaults unless set. */
  CASES_SLA_POLICY_FILE: z.string().min(1).default(DEFAULT_POLICY_FILE),
  /** How often the scheduler decides breaches and feedback requests; 0 turns it off. */
  CASES_SCHEDULER_INTERVAL_MS: env.int({ min: 0, max: 86_400_000, default: 30_000 }),
});

export type CasesConfig = Readonly<z.infer<typeof casesConfigSchema>>;

/** Reads the environment once at boot; throws a ConfigError naming the bad variable. */
export function loadCasesConfig(environment: Env = process.env): CasesConfig {
  return Object.freeze(loadConfig(casesConfigSchema, environment, 'cases'));
}

/** Base of the cases projector's consumer groups: each generation joins `<base>.<projection>.g<generation>`. */
export const CASES_CONSUMER_GROUP = 'rapport.projector.cases';

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier');

/** The standalone process of the scaled stack (services/cases/src/main.ts): its own settings plus the cases ones. */
export const casesServiceConfigSchema = casesConfigSchema.extend({
  /** Holds the read model and API keys; also the event store when RAPPORT_EVENT_STORE=postgres. */
  DATABASE_URL: env.postgresUrl(),
  PORT: env.port(3005),
  HOST: env.host('0.0.0.0'),
  LOG_LEVEL: env.logLevel('info'),
  EVENT_STORE_SCHEMA: identifier.default('rapport_events'),
  /** Events per projection transaction when following the store (live with RAPPORT_BUS=none, and rebuilds). */
  PROJECTION_BATCH_SIZE: env.int({ min: 1, max: 10_000, default: 1000 }),
  /** `false` for API-only replicas; exactly one deployment runs the projection and the scheduler. */
  RUN_PROJECTIONS: env.boolean(true),
});

export interface CasesServiceConfig extends Readonly<z.infer<typeof casesServiceConfigSchema>> {
  readonly store: StoreSelection;
  /** `kafka`: the projection consumes the topic as a consumer group; `none`: it follows the store. */
  readonly bus: BusConfig;
  /** Opens the personal fields the store and Kafka hold sealed, and seals staff commands (RAPPORT_MASTER_KEYS, RAPPORT_MASTER_KEY_ID). */
  readonly masterKeys: MasterKeys;
}

/** Reads the standalone process's environment once at boot; one ConfigError names every bad variable, the master keys' too. */
export function loadCasesServiceConfig(environment: Env = process.env): CasesServiceConfig {
  const { own, modes, masterKeys } = loadConfigs(
    { own: () => loadConfig(casesServiceConfigSchema, environment, 'cases'), modes: () => loadModes(environment), masterKeys: () => loadMasterKeysFromEnv(environment) },
    'cases',
  );
  return Object.freeze({ ...own, store: modes.store, bus: modes.bus, masterKeys });
}
