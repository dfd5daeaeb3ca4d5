import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PolicyError, type FieldError } from '../errors';
import { isKnownTimeZone, type BusinessCalendar } from './business-time';

export const DEFAULT_POLICY_FILE = join(__dirname, '..', '..', 'policy', 'default.yaml');

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const CATEGORIES = ['delivery', 'product', 'billing', 'refund', 'service', 'website', 'other'] as const;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const MAX_MINUTES = 365 * 24 * 60;
const duration = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const match = typeof value === 'number' ? [String(value), String(value), 'm'] : /^(\d{1,6})(m|h)$/.exec(value.trim());
    const minutes = match ? Number(match[1]) * (match[2] === 'h' ? 60 : 1) : NaN;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number of minutes (90, "90m") or hours ("4h"), from 1 minute to a year' });
      return z.NEVER;
    }
    return minutes;
  });

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time as HH:MM');
const toMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const opening = z
  .tuple([clock, clock])
  .refine(([from, to]) => toMinutes(from) < toMinutes(to), 'must close after it opens');

const targets = z.strictObject({ firstResponse: duration, nextResponse: duration, resolution: duration });
const partialTargets = z.strictObject({ firstResponse: duration.optional(), nextResponse: duration.optional(), resolution: duration.optional() });

const policySchema = z.strictObject({
  version: z.string().min(1).max(50),
  timeZone: z.string().refine(isKnownTimeZone, 'must be an IANA time zone such as Europe/London'),
  businessHours: z.partialRecord(z.enum(WEEKDAYS), opening.nullable()).refine((hours) => Object.values(hours).some(Boolean), 'must open on at least one day'),
  holidays: z.array(z.iso.date({ error: 'must be a date as YYYY-MM-DD' })).max(10_000).default([]),
  targets: z.strictObject(Object.fromEntries(SEVERITIES.map((s) => [s, targets])) as Record<(typeof SEVERITIES)[number], typeof targets>),
  categories: z.partialRecord(z.enum(CATEGORIES), z.partialRecord(z.enum(SEVERITIES), partialTargets)).default({}),
});

export type Targets = z.output<typeof targets>;

/** A validated SLA policy: the calendar and the targets for a complaint's severity and category. */
export interface SlaPolicy {
  readonly version: string;
  readonly calendar: BusinessCalendar;
  targetsFor(severity: string | null, category: string | null): Targets;
}

/** Reads and validates a policy file; a PolicyError names each bad path. */
export function loadPolicy(file = DEFAULT_POLICY_FILE): SlaPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(file, [{ path: '', message: `cannot be read: ${(error as Error).message}` }]);
  }
  return parsePolicy(text, file);
}

export function parsePolicy(text: string, source = 'policy'): SlaPolicy {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new PolicyError(source, [{ path: '', message: `is not YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  const result = policySchema.safeParse(document);
  if (!result.success) {
    const errors: FieldError[] = result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
    }));
    throw new PolicyError(source, errors);
  }
  const policy = result.data;
  const calendar: BusinessCalendar = {
    timeZone: policy.timeZone,
    hours: WEEKDAYS.map((day) => {
      const hours = policy.businessHours[day];
      return hours ? ([toMinutes(hours[0]), toMinutes(hours[1])] as const) : null;
    }),
    holidays: new Set(policy.holidays),
  };
  return {
    version: policy.version,
    calendar,
    targetsFor(severity, category) {
      const base = policy.targets[(SEVERITIES as readonly string[]).includes(severity ?? '') ? (severity as (typeof SEVERITIES)[number]) : 'medium'];
      const override = category ? policy.categories[category as (typeof CATEGORIES)[number]]?.[severity as (typeof SEVERITIES)[number]] : undefined;
      return { ...base, ...Object.fromEntries(Object.entries(override ?? {}).filter(([, value]) => value !== undefined)) };
    },
  };
}

/** The shipped defaults. */
export function defaultPolicy(): SlaPolicy {
  return loadPolicy(DEFAULT_POLICY_FILE);
}
