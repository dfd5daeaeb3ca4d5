import { DAY_MS, WEEK_MS, parseInstant } from '../instants';

export interface Purchase {
  /** ISO-8601 instant. */
  occurredAt: string;
  /** Value of the purchase (any unit; zbar comes out in the same unit). */
  value?: number;
}

export interface CalibrationSummary {
  /** Repeat purchase days: distinct UTC purchase days after the first. */
  x: number;
  /** Weeks from the first purchase day to the last (whole days / 7). */
  tx: number;
  /** Weeks from the start (00:00 UTC) of the first purchase day to asOf. */
  T: number;
  /** Mean value of the repeat purchase days (a day's value is the sum of its purchases); 0 when x = 0. */
  zbar: number;
}

/**
 * Turns a customer's purchases into the BG/NBD/Gamma-Gamma inputs as of `asOf`; only purchases with
 * occurredAt ≤ asOf count. Several purchases on one UTC day are one purchase, as the models count
 * purchase occasions. Times are measured from UTC day starts, so customers share summaries and the
 * fit's aggregation stays effective on large populations. Null when the customer has no purchase in the period.
 */
export function calibrationSummary(purchases: readonly Purchase[], asOf: string): CalibrationSummary | null {
  const end = parseInstant(asOf, 'asOf');
  const days = new Map<number, number>();
  purchases.forEach((purchase, index) => {
    const at = parseInstant(purchase.occurredAt, `purchases.${index}.occurredAt`);
    if (at > end) return;
    const day = Math.floor(at / DAY_MS);
    days.set(day, (days.get(day) ?? 0) + (purchase.value ?? 0));
  });
  if (days.size === 0) return null;
  const ordered = [...days.keys()].sort((p, q) => p - q);
  const first = ordered[0];
  const repeatValues = ordered.slice(1).map((day) => days.get(day) as number);
  return {
    x: repeatValues.length,
    tx: ((ordered[ordered.length - 1] - first) * DAY_MS) / WEEK_MS,
    T: (end - first * DAY_MS) / WEEK_MS,
    zbar: repeatValues.length === 0 ? 0 : repeatValues.reduce((sum, value) => sum + value, 0) / repeatValues.length,
  };
}
