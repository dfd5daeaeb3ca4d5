import { env, loadConfig, type Env } from '@rapport/platform';
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
