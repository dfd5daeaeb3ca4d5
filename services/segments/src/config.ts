import { env, loadConfig, type Env } from '@rapport/platform';
import { z } from 'zod';
import { DEFAULT_GROWTH, type GrowthOptions, type ServiceCosts } from './scoring/value-flags';

/** How money is valued and costs counted; the projection converts amounts with it, so a change needs a rebuild. */
export interface SegmentSettings {
  readonly baseCurrency: string;
  /** Value of 1.00 of a currency in the base currency; facts in other currencies are left out. */
  readonly currencyRates: Readonly<Record<string, number>>;
  readonly costs: ServiceCosts;
  readonly growth: GrowthOptions;
}

export const DEFAULT_SETTINGS: SegmentSettings = Object.freeze({
  baseCurrency: 'GBP',
  currencyRates: Object.freeze({ EUR: 0.85, USD: 0.75 }),
  costs: Object.freeze({ perComplaint: 1_500, perCallback: 500 }),
  growth: DEFAULT_GROWTH,
});

const rates = z
  .string()
  .regex(/^([A-Z]{3}=\d+(\.\d+)?)(,[A-Z]{3}=\d+(\.\d+)?)*$/, 'must be a list like EUR=0.85,USD=0.75')
  .transform((text) => Object.fromEntries(text.split(',').map((pair) => [pair.slice(0, 3), Number(pair.slice(4))])));

export const segmentsConfigSchema = z.object({
  SEGMENTS_BASE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP').default('GBP'),
  SEGMENTS_CURRENCY_RATES: z.string().default('EUR=0.85,USD=0.75').pipe(rates),
  SEGMENTS_COST_PER_COMPLAINT: env.int({ min: 0, max: 100_000_000, default: 1_500 }),
  SEGMENTS_COST_PER_CALLBACK: env.int({ min: 0, max: 100_000_000, default: 500 }),
  /** How often a full recompute as of now runs; 0 turns it off. */
  SEGMENTS_RECOMPUTE_INTERVAL_MS: env.int({ min: 0, max: 30 * 86_400_000, default: 86_400_000 }),
});

export type SegmentsConfig = Readonly<z.infer<typeof segmentsConfigSchema>>;

/** Reads the environment once at boot; throws a ConfigError naming the bad variable. */
export function loadSegmentsConfig(environment: Env = process.env): SegmentsConfig {
  return Object.freeze(loadConfig(segmentsConfigSchema, environment, 'segments'));
}

export function settingsOf(config: SegmentsConfig): SegmentSettings {
  return Object.freeze({
    baseCurrency: config.SEGMENTS_BASE_CURRENCY,
    currencyRates: Object.freeze({ ...config.SEGMENTS_CURRENCY_RATES, [config.SEGMENTS_BASE_CURRENCY]: 1 }),
    costs: Object.freeze({ perComplaint: config.SEGMENTS_COST_PER_COMPLAINT, perCallback: config.SEGMENTS_COST_PER_CALLBACK }),
    growth: DEFAULT_GROWTH,
  });
}
