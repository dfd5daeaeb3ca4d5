import { z } from 'zod';
import { env, loadConfig, type Env } from '@rapport/platform';

export const ingestConfigSchema = z.object({
  DATABASE_URL: env.postgresUrl(),
  PORT: env.port(3001),
  HOST: env.host('0.0.0.0'),
  LOG_LEVEL: env.logLevel('info'),
  /** Schema of the event store's tables. */
  EVENT_STORE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').default('rapport_events'),
  DB_POOL_SIZE: env.int({ min: 1, max: 100, default: 10 }),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

/** Reads the environment once at boot; throws a ConfigError naming each bad variable. */
export function loadIngestConfig(environment: Env = process.env): Readonly<IngestConfig> {
  return loadConfig(ingestConfigSchema, environment, 'ingest');
}
