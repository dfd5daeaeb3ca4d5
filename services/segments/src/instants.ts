import { InvalidInstantError } from './errors';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const WEEK_MS = 7 * DAY_MS;

// Date.parse accepts many non-ISO forms ("2024-02-30", "March 1"); insist on a date-time with a zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an ISO-8601 instant; `path` names the field in the error. */
export function parseInstant(value: string, path: string): number {
  const at = ISO_INSTANT.test(value) ? Date.parse(value) : NaN;
  // V8 rolls 2024-02-30 over into March; a day past the month's end is an error, not a date.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  if (Number.isNaN(at) || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) throw new InvalidInstantError(path, value);
  return at;
}
