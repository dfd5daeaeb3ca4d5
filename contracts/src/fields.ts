import { z } from 'zod';

// Field schemas shared by the envelope and every event family, so that the same kind of
// value is validated the same way everywhere.

const IDENTIFIER = /^[A-Za-z0-9_.:@+-]*$/;
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

// PostgreSQL text cannot hold NUL, and jsonb refuses both NUL and an unpaired surrogate: such
// a string would be acknowledged and then fail every write of it (store and read models alike).
const UNSTORABLE = /[\u0000\p{Cs}]/u;
export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL (\\u0000) or an unpaired UTF-16 surrogate';

export const isStorableText = (value: string): boolean => !UNSTORABLE.test(value);

/** A format's own message, except that a missing value reads 'required' like every other field. */
export const formatError = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'required' : message;

/** Ids chosen by other systems (customers, orders, complaints…): safe inside stream ids and Kafka keys. */
export const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(IDENTIFIER, 'may only contain letters, digits and _ . : @ + -');

/** Free text that may span lines (comments, messages). */
export const text = (maxLength: number) => z.string().min(1).max(maxLength);

/** A single line of text: a name, a reason, a subject. */
export const line = (maxLength: number) =>
  text(maxLength).regex(NO_CONTROL_CHARACTERS, 'must not contain control characters');

// Years a read model can store and a customer interaction can plausibly have; year 0000 is
// valid ISO-8601 but not a PostgreSQL timestamp, and would be acknowledged yet unprojectable.
const FIRST_YEAR = 1900;
// Only judges values shaped like a date, so a malformed one gets the format error alone.
const inSupportedYears = (value: string) => !/^\d{4}-/.test(value) || Number(value.slice(0, 4)) >= FIRST_YEAR;
const YEARS_MESSAGE = `must be in the years ${FIRST_YEAR} to 9999`;

// PostgreSQL's timestamptz takes offsets up to ±15:59, and read models keep the instant in UTC,
// so the year rule holds for the UTC instant too (a second's margin for microsecond rounding).
const OFFSET = /([+-])(\d{2}):\d{2}$/;
const inSupportedOffsets = (value: string) => Number(OFFSET.exec(value)?.[2] ?? 0) <= 15;
const FIRST_INSTANT = Date.UTC(FIRST_YEAR, 0, 1);
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59);
/** The instants (epoch ms) every event field may hold: what a service computing a later instant must stay within. */
export const SUPPORTED_INSTANTS = { first: FIRST_INSTANT, last: LAST_INSTANT } as const;
const inSupportedInstants = (value: string) => {
  const instant = Date.parse(value);
  return Number.isNaN(instant) || (instant >= FIRST_INSTANT && instant <= LAST_INSTANT);
};

/** ISO-8601 date-time with `Z` or an offset; impossible dates (2023-02-29) are rejected. */
export const isoDateTime = z.iso
  .datetime({ offset: true, error: formatError('must be an ISO-8601 date-time with Z or an offset') })
  .refine(inSupportedYears, { message: YEARS_MESSAGE, abort: true })
  .refine(inSupportedOffsets, { message: 'must have a UTC offset between -15:59 and +15:59', abort: true })
  .refine(inSupportedInstants, `must be in the years ${FIRST_YEAR} to 9999 in UTC`);

// The shape `isoDateTime` accepts: seconds always present, any number of fraction digits, Z or ±HH:MM.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant an `isoDateTime` names, as PostgreSQL's timestamptz keeps it: UTC, microseconds
 * (`2024-01-01T11:00:00+01:00` → `2024-01-01T10:00:00.000000Z`). Digits past the sixth are rounded
 * as PostgreSQL does (rint of the fraction as a double), so equal results mean one stored instant.
 */
export function utcInstant(value: string): string {
  const parts = DATE_TIME.exec(value);
  if (!parts) throw new RangeError(`not an ISO-8601 date-time with Z or an offset: ${JSON.stringify(value)}`);
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  const [fraction, sign, offsetHours, offsetMinutes] = parts.slice(7);
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  const scaled = Number(`0.${fraction ?? '0'}`) * 1_000_000;
  let micros = Math.round(scaled);
  if (micros - scaled === 0.5 && micros % 2 === 1) micros -= 1; // rint: ties to even
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0–99 as 1900–1999
  instant.setUTCHours(hour, minute - offset, second + (micros === 1_000_000 ? 1 : 0), 0);
  return `${instant.toISOString().slice(0, -5)}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
}

/** Calendar date, `YYYY-MM-DD`. */
export const isoDate = z.iso.date({ error: formatError('must be a date as YYYY-MM-DD') }).refine(inSupportedYears, YEARS_MESSAGE);

/** Time of day, `HH:MM` (24-hour clock). */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM');

/** Money is an integer amount of the currency's minor unit (pence, cents). */
export const minorUnits = z
  .number()
  .int('must be an integer amount in minor units')
  .nonnegative('must not be negative')
  .describe('Integer amount in the minor unit of the currency (e.g. pence)');

export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code (three upper-case letters)')
  .describe('ISO 4217 currency code');

export const quantity = z.number().int('must be a whole number').positive('must be at least 1');

/** Retail stock codes include spaces and lower case ("BANK CHARGES", "gift_0001_40"). */
export const sku = line(64);

export const email = z.email({ error: formatError('must be an email address') }).max(254);

export const phone = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number, e.g. +447700900123')
  .describe('E.164 phone number');

export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. GB')
  .describe('ISO 3166-1 alpha-2 country code');

/** BCP 47 language tag such as `en` or `en-GB`. */
export const locale = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag, e.g. en-GB');

/** Where a customer reached us or we reached them. */
export const contactChannel = z.enum(['email', 'sms', 'chat', 'phone']);
