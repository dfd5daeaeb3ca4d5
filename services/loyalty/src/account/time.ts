const DAY_MS = 86_400_000;

export const toIso = (time: number): string => new Date(time).toISOString();
export const addDays = (instant: string, days: number): string => toIso(Date.parse(instant) + days * DAY_MS);

/** Calendar months in UTC; the 31st plus one month ends on the last day of the shorter month. */
export function addMonths(instant: string, months: number): string {
  const date = new Date(instant);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.toISOString();
}

export const isoOf = (instant: string): string => new Date(instant).toISOString();
