import { SUPPORTED_INSTANTS } from '@rapport/contracts';

const DAY_MS = 86_400_000;

/**
 * An instant as stored: a due instant past the last one an event may hold (an order in late
 * 9999 pending for 14 days) is held at the last, so every decided event stays storable.
 */
export const toIso = (time: number): string => new Date(Math.min(Math.max(time, SUPPORTED_INSTANTS.first), SUPPORTED_INSTANTS.last)).toISOString();
export const addDays = (instant: string, days: number): string => toIso(Date.parse(instant) + days * DAY_MS);

/** Calendar months in UTC; the 31st plus one month ends on the last day of the shorter month. */
export function addMonths(instant: string, months: number): string {
  const date = new Date(instant);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return toIso(date.getTime());
}

export const isoOf = (instant: string): string => new Date(instant).toISOString();
