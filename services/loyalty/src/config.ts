import { env, loadConfig, type Env } from '@rapport/platform';
import { z } from 'zod';
import { DEFAULT_RULES_FILE } from './rules/rules';

export const loyaltyConfigSchema = z.object({
  /** The rules file (YAML), validated at boot; the shipped defaults unless set. */
  LOYALTY_RULES_FILE: z.string().min(1).default(DEFAULT_RULES_FILE),
  /** How often the scheduler decides due changes (pending → available, expiry, tier review); 0 turns it off. */
  LOYALTY_SCHEDULER_INTERVAL_MS: env.int({ min: 0, max: 86_400_000, default: 60_000 }),
});

export type LoyaltyConfig = Readonly<z.infer<typeof loyaltyConfigSchema>>;

/** Reads the environment once at boot; throws a ConfigError naming the bad variable. */
export function loadLoyaltyConfig(environment: Env = process.env): LoyaltyConfig {
  return Object.freeze(loadConfig(loyaltyConfigSchema, environment, 'loyalty'));
}
