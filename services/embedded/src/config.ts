import { env, loadConfig, type Env, type LogLevel } from '@rapport/platform';
import { z } from 'zod';

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = './.rapport';
/** Stable so that URLs printed by one run still work in the next; a free port is used if it is taken. */
export const DEFAULT_PG_PORT = 54329;
export const DEFAULT_SESSION_IDLE_MINUTES = 30;

const schema = z.object({
  // 0 asks the OS for a free port (tests); the real URL is reported after listening.
  RAPPORT_PORT: env.int({ min: 0, max: 65535, default: DEFAULT_PORT }),
  RAPPORT_HOST: env.host(DEFAULT_HOST),
  RAPPORT_DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
  RAPPORT_PG_PORT: env.int({ min: 1, max: 65535 }).optional(),
  LOG_LEVEL: env.logLevel('info'),
  RAPPORT_SESSION_IDLE_MINUTES: env.int({ min: 1, max: 24 * 60, default: DEFAULT_SESSION_IDLE_MINUTES }),
});

export interface EmbeddedConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly pgPort?: number;
  readonly logLevel: LogLevel;
  readonly sessionIdleMinutes: number;
}

/** Reads the embedded platform's settings once; throws ConfigError naming every bad variable. */
export function loadEmbeddedConfig(environment: Env = process.env): EmbeddedConfig {
  const config = loadConfig(schema, environment, 'rapport');
  return Object.freeze({
    port: config.RAPPORT_PORT,
    host: config.RAPPORT_HOST,
    dataDir: config.RAPPORT_DATA_DIR,
    pgPort: config.RAPPORT_PG_PORT,
    logLevel: config.LOG_LEVEL,
    sessionIdleMinutes: config.RAPPORT_SESSION_IDLE_MINUTES,
  });
}
