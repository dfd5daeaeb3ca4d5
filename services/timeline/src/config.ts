import { env, loadConfig, type Env } from '@rapport/platform';
import { z } from 'zod';

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier');

export const timelineConfigSchema = z.object({
  /** Holds the event store's schema and the read models. */
  DATABASE_URL: env.postgresUrl(),
  PORT: env.port(3002),
  HOST: env.host('0.0.0.0'),
  LOG_LEVEL: env.logLevel('info'),
  EVENT_STORE_SCHEMA: identifier.default('rapport_events'),
  DB_POOL_SIZE: env.int({ min: 2, max: 100, default: 10 }),
  /** Events per projection transaction. */
  PROJECTION_BATCH_SIZE: env.int({ min: 1, max: 10_000, default: 1000 }),
  /** `false` for API-only replicas; exactly one deployment should run the projectors per source. */
  RUN_PROJECTIONS: env.boolean(true),
});

export type TimelineConfig = z.infer<typeof timelineConfigSchema>;

/** Reads the environment once at boot; throws a ConfigError naming each bad variable. */
export function loadTimelineConfig(environment: Env = process.env): Readonly<TimelineConfig> {
  return loadConfig(timelineConfigSchema, environment, 'timeline');
}
