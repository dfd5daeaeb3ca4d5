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
  /** Weeks from the first purchase to the first purchase of the last purchase day. */
  tx: number;
  /** Weeks from the first purchase to asOf. */
  T: number;
  /** Mean value of the repeat purchase days (a day's value is the sum of its purchases); 0 when x = 0. */
  zbar: number;
}

/**
 * Turns a customer's purchases into the BG/NBD/Gamma-Gamma inputs as of `asOf`; only purchases with
 * occurredAt ≤ asOf count. Several purchases on one UTC day are one purchase, as the models count
 * purchase occasions. Null when the customer has no purchase in the period.
 */
export function calibrationSummary(purchases: readonly Purchase[], asOf: string): CalibrationSummary | null {
  const end = parseInstant(asOf, 'asOf');
  const days = new Map<number, { first: number; value: number }>();
  purchases.forEach((purchase, index) => {
    const at = parseInstant(purchase.occurredAt, `purchases.${index}.occurredAt`);
    if (at > end) return;
    const day = Math.floor(at / DAY_MS);
    const seen = days.get(day);
    if (seen) {
      seen.first = Math.min(seen.first, at);
      seen.value += purchase.value ?? 0;
    } else days.set(day, { first: at, value: purchase.value ?? 0 });
  });
  if (days.size === 0) return null;
  const ordered = [...days.entries()].sort(([p], [q]) => p - q).map(([, day]) => day);
  const first = ordered[0].first;
  const repeats = ordered.slice(1);
  return {
    x: repeats.length,
    tx: (ordered[ordered.length - 1].first - first) / WEEK_MS,
    T: (end - first) / WEEK_MS,
    zbar: repeats.length === 0 ? 0 : repeats.reduce((sum, day) => sum + day.value, 0) / repeats.length,
  };
}
