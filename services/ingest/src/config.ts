import { z } from 'zod';
import { loadStoreSelection, type StoreSelection } from '@rapport/event-store';
import { loadMasterKeysFromEnv, type MasterKeys } from '@rapport/personal-data';
import { env, loadConfig, loadConfigs, type Env } from '@rapport/platform';

export const ingestConfigSchema = z.object({
  /** API keys; also the event store when RAPPORT_EVENT_STORE=postgres. */
  DATABASE_URL: env.postgresUrl(),
  PORT: env.port(3001),
  HOST: env.host('0.0.0.0'),
  LOG_LEVEL: env.logLevel('info'),
  /** Schema of the event store's tables (PostgreSQL store only). */
  EVENT_STORE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').default('rapport_events'),
  DB_POOL_SIZE: env.int({ min: 1, max: 100, default: 10 }),
});

export interface IngestConfig extends Readonly<z.infer<typeof ingestConfigSchema>> {
  /** Ingest only appends to the store; the relay feeds Kafka, so the bus settings are not ingest's to read. */
  readonly store: StoreSelection;
  /** Personal fields are sealed with per-customer keys wrapped by these (RAPPORT_MASTER_KEYS, RAPPORT_MASTER_KEY_ID). */
  readonly masterKeys: MasterKeys;
}

/** Reads the environment once at boot; throws one ConfigError naming every bad variable, its own, the store switch's and the master keys'. */
export function loadIngestConfig(environment: Env = process.env): IngestConfig {
  const { own, store, masterKeys } = loadConfigs(
    { own: () => loadConfig(ingestConfigSchema, environment, 'ingest'), store: () => loadStoreSelection(environment), masterKeys: () => loadMasterKeysFromEnv(environment) },
    'ingest',
  );
  return Object.freeze({ ...own, store, masterKeys });
}
