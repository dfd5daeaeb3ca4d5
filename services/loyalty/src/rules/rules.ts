import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoDateTime } from '@rapport/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RulesError } from '../errors';

const tier = z.strictObject({
  name: z.string().min(1).max(50),
  threshold: z.number().int().nonnegative(),
  multiplier: z.number().positive().max(100),
});

const campaign = z.strictObject({
  name: z.string().min(1).max(100),
  from: isoDateTime,
  to: isoDateTime,
  multiplier: z.number().positive().max(100),
});

const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code');

/** Everything a version may set; a version's missing fields come from the version before (the first from the defaults). */
const settings = {
  baseCurrency: currencyCode,
  pointsPerUnit: z.number().positive().max(1000),
  currencyRates: z.record(currencyCode, z.number().positive()),
  tiers: z
    .array(tier)
    .min(1)
    .refine((tiers) => tiers[0]?.threshold === 0, 'the first tier must have threshold 0')
    .refine((tiers) => tiers.every((t, i) => i === 0 || t.threshold > tiers[i - 1].threshold), 'thresholds must increase')
    .refine((tiers) => new Set(tiers.map((t) => t.name)).size === tiers.length, 'tier names must be unique'),
  firstOrderBonus: z.number().int().nonnegative().max(1_000_000),
  feedbackBonus: z.number().int().nonnegative().max(1_000_000),
  skuMultipliers: z.record(z.string().min(1).max(64), z.number().nonnegative().max(100)),
  campaigns: z.array(campaign).refine((list) => list.every((c) => Date.parse(c.from) < Date.parse(c.to)), 'a campaign must end after it starts'),
  pendingDays: z.number().int().min(0).max(365),
  expiryMonths: z.number().int().min(1).max(240),
  expiringSoonDays: z.number().int().min(1).max(365),
  tierWindowMonths: z.number().int().min(1).max(60),
  negativeBalance: z.enum(['allow', 'clamp']),
};

const versionSchema = z.strictObject({
  version: z.string().min(1).max(50),
  effectiveFrom: isoDateTime,
  ...Object.fromEntries(Object.entries(settings).map(([key, schema]) => [key, schema.optional()])),
}) as unknown as z.ZodType<{ version: string; effectiveFrom: string } & Partial<RuleSettings>>;

const fileSchema = z.strictObject({ versions: z.array(versionSchema).min(1) });

export type RuleSettings = { [K in keyof typeof settings]: z.output<(typeof settings)[K]> };
export type Tier = z.output<typeof tier>;

/** One version of the rules, complete, with the instant it applies from. */
export interface RuleVersion extends RuleSettings {
  readonly version: string;
  readonly effectiveFrom: string;
}

export const DEFAULT_SETTINGS: RuleSettings = {
  baseCurrency: 'GBP',
  pointsPerUnit: 1,
  currencyRates: {},
  tiers: [
    { name: 'Bronze', threshold: 0, multiplier: 1 },
    { name: 'Silver', threshold: 500, multiplier: 1.25 },
    { name: 'Gold', threshold: 2000, multiplier: 1.5 },
    { name: 'Platinum', threshold: 5000, multiplier: 2 },
  ],
  firstOrderBonus: 50,
  feedbackBonus: 10,
  skuMultipliers: {},
  campaigns: [],
  pendingDays: 14,
  expiryMonths: 12,
  expiringSoonDays: 30,
  tierWindowMonths: 12,
  negativeBalance: 'allow',
};

/** The versions of a rules file, oldest first; `at(instant)` is the one in force then. */
export class RuleBook {
  constructor(readonly versions: readonly RuleVersion[]) {}

  at(instant: string | number): RuleVersion {
    const time = typeof instant === 'number' ? instant : Date.parse(instant);
    let found = this.versions[0];
    for (const version of this.versions) if (Date.parse(version.effectiveFrom) <= time) found = version;
    return found;
  }

  /** The version with this name, for tracing a movement back to its rules. */
  named(name: string): RuleVersion | undefined {
    return this.versions.find((version) => version.version === name);
  }
}

/** Reads a rules document (YAML text); throws RulesError naming each bad path. */
export function parseRules(text: string, source = 'rules'): RuleBook {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new RulesError(source, [{ path: '', message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) {
    throw new RulesError(
      source,
      parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ path: [...issue.path, key].map(String).join('.'), message: 'unknown field' }))
          : [{ path: issue.path.map(String).join('.'), message: issue.message }],
      ),
    );
  }
  const versions: RuleVersion[] = [];
  for (const [index, version] of parsed.data.versions.entries()) {
    const previous = versions[index - 1];
    if (previous && Date.parse(version.effectiveFrom) <= Date.parse(previous.effectiveFrom)) {
      throw new RulesError(source, [{ path: `versions.${index}.effectiveFrom`, message: 'must be later than the previous version' }]);
    }
    if (versions.some((v) => v.version === version.version)) {
      throw new RulesError(source, [{ path: `versions.${index}.version`, message: `'${version.version}' is used twice` }]);
    }
    const defined = Object.fromEntries(Object.entries(version).filter(([, value]) => value !== undefined));
    versions.push(Object.freeze({ ...(previous ?? DEFAULT_SETTINGS), ...defined }) as RuleVersion);
  }
  return new RuleBook(versions);
}

/** The rules file shipped with the service. */
export const DEFAULT_RULES_FILE = join(__dirname, '..', '..', 'rules', 'default.yaml');

export function loadRules(file: string = DEFAULT_RULES_FILE): RuleBook {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RulesError(file, [{ path: '', message: `cannot be read: ${(error as Error).message}` }]);
  }
  return parseRules(text, file);
}

/** Rules for tests and examples: the defaults as one version. */
export function defaultRuleBook(overrides: Partial<RuleSettings> = {}, version = 'test-1'): RuleBook {
  return new RuleBook([{ ...DEFAULT_SETTINGS, ...overrides, version, effectiveFrom: '2000-01-01T00:00:00.000Z' }]);
}
