import { RulesError } from '../errors';
import { DEFAULT_SETTINGS, loadRules, parseRules } from './rules';

function problems(text: string): string[] {
  try {
    parseRules(text, 'test.yaml');
  } catch (error) {
    if (error instanceof RulesError) return error.errors.map((e) => `${e.path}: ${e.message}`);
    throw error;
  }
  throw new Error('expected the rules to be rejected');
}

describe('loyalty rules file', () => {
  it('ships defaults as in the issue: 1 point per GBP, tiers 500/2,000/5,000, 14 days pending, 12 months expiry', () => {
    const book = loadRules();
    const rules = book.at('2011-06-01T00:00:00Z');
    expect(rules).toMatchObject({ baseCurrency: 'GBP', pointsPerUnit: 1, pendingDays: 14, expiryMonths: 12, negativeBalance: 'allow' });
    expect(rules.tiers.map((t) => [t.name, t.threshold, t.multiplier])).toEqual([
      ['Bronze', 0, 1],
      ['Silver', 500, 1.25],
      ['Gold', 2000, 1.5],
      ['Platinum', 5000, 2],
    ]);
  });

  it('fills a version from the one before, and picks the version in force at an instant', () => {
    const book = parseRules(`
versions:
  - { version: v1, effectiveFrom: "2010-01-01T00:00:00Z" }
  - { version: v2, effectiveFrom: "2011-01-01T00:00:00Z", pointsPerUnit: 2 }
  - { version: v3, effectiveFrom: "2012-01-01T00:00:00Z", pendingDays: 0 }
`);
    expect(book.at('2009-05-01T00:00:00Z').version).toBe('v1');
    expect(book.at('2010-12-31T23:59:59Z')).toMatchObject({ version: 'v1', pointsPerUnit: 1, pendingDays: DEFAULT_SETTINGS.pendingDays });
    expect(book.at('2011-01-01T00:00:00Z')).toMatchObject({ version: 'v2', pointsPerUnit: 2 });
    expect(book.at('2013-01-01T00:00:00Z')).toMatchObject({ version: 'v3', pointsPerUnit: 2, pendingDays: 0 });
  });

  it('names the path of every problem', () => {
    expect(
      problems(`
versions:
  - version: v1
    effectiveFrom: yesterday
    pointsPerUnit: -1
    tiers: [{ name: Bronze, threshold: 10, multiplier: 1 }]
    negativeBalance: sometimes
    colour: blue
`),
    ).toEqual([
      'versions.0.effectiveFrom: must be an ISO-8601 date-time with Z or an offset',
      'versions.0.pointsPerUnit: Too small: expected number to be >0',
      'versions.0.tiers: the first tier must have threshold 0',
      'versions.0.negativeBalance: Invalid option: expected one of "allow"|"clamp"',
      'versions.0.colour: unknown field',
    ]);
  });

  it('rejects versions out of order, reused names, bad YAML and an empty file', () => {
    expect(problems('versions:\n  - { version: a, effectiveFrom: "2011-01-01T00:00:00Z" }\n  - { version: b, effectiveFrom: "2010-01-01T00:00:00Z" }')).toEqual([
      'versions.1.effectiveFrom: must be later than the previous version',
    ]);
    expect(problems('versions:\n  - { version: a, effectiveFrom: "2010-01-01T00:00:00Z" }\n  - { version: a, effectiveFrom: "2011-01-01T00:00:00Z" }')).toEqual([
      "versions.1.version: 'a' is used twice",
    ]);
    expect(problems('versions: [')[0]).toMatch(/^: not valid YAML/);
    expect(problems('')).toEqual([': Invalid input: expected object, received null']);
  });

  it('says which file could not be read', () => {
    expect(() => loadRules('/nonexistent/rules.yaml')).toThrow(/Loyalty rules \/nonexistent\/rules.yaml are invalid: \(root\): cannot be read/);
  });
});
