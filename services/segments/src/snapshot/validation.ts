import type { Database } from '@rapport/projections';
import type { SegmentSettings } from '../config';
import { WEEK_MS } from '../instants';
import { expectedPurchases, fitBgNbd } from '../value-model/bg-nbd';
import { MEASURES_SQL, measuresParameters } from './measures-sql';
import { summaryOf } from './value-models';

export interface ValidationLine {
  /** Calibration repeat purchases; the last line is 7 or more. */
  readonly x: string;
  readonly customers: number;
  readonly predicted: number | null;
  readonly actual: number;
}

/**
 * Fits BG/NBD on the calibration period (facts ≤ calibrationEnd) and compares, per number of
 * calibration repeat purchases, the mean purchases it predicts in (calibrationEnd, holdoutEnd]
 * with the mean purchase days that happened there. Writes nothing (its transaction only holds temp tables).
 */
export async function validateModel(db: Database, settings: SegmentSettings, calibrationEnd: string, holdoutEnd: string) {
  const calibrationMs = Date.parse(calibrationEnd);
  const horizon = (Date.parse(holdoutEnd) - calibrationMs) / WEEK_MS;
  const groups = await db.transaction(async (tx) => {
    await tx.query(MEASURES_SQL, measuresParameters(calibrationEnd, settings));
    return tx.query<{ x: number; tx_days: number; first_day: number; customers: number; actual: string }>(
      `WITH holdout AS (
         SELECT o.customer_id, count(DISTINCT floor(extract(epoch FROM o.occurred_at) / 86400)) AS days
           FROM segments.facts o
          WHERE o.kind = 'order' AND o.occurred_at > $1 AND o.occurred_at <= $2
            AND NOT EXISTS (SELECT 1 FROM segments.facts c WHERE c.kind = 'cancel' AND c.customer_id = o.customer_id AND c.order_id = o.order_id AND c.occurred_at <= $2)
          GROUP BY o.customer_id
       )
       SELECT m.x, m.last_day - m.first_day AS tx_days, m.first_day, count(*)::int AS customers, coalesce(sum(h.days), 0) AS actual
         FROM seg_measures m LEFT JOIN holdout h USING (customer_id)
        WHERE NOT m.excluded AND m.x IS NOT NULL GROUP BY 1, 2, 3`,
      [calibrationEnd, holdoutEnd],
    );
  });
  const summaries = groups.flatMap((g) => Array.from({ length: g.customers }, () => summaryOf({ x: g.x, txDays: g.tx_days, firstDay: g.first_day }, calibrationMs)));
  const fit = fitBgNbd(summaries);
  const buckets = Array.from({ length: 8 }, (_, x) => ({ x: x === 7 ? '7+' : String(x), customers: 0, predicted: 0 as number | null, actual: 0 }));
  let predictedTotal: number | null = 0;
  let actualTotal = 0;
  for (const group of groups) {
    const bucket = buckets[Math.min(group.x, 7)];
    const each = expectedPurchases(fit.parameters, summaryOf({ x: group.x, txDays: group.tx_days, firstDay: group.first_day }, calibrationMs), horizon);
    bucket.customers += group.customers;
    bucket.actual += Number(group.actual);
    bucket.predicted = each === null || bucket.predicted === null ? null : bucket.predicted + each * group.customers;
    predictedTotal = each === null || predictedTotal === null ? null : predictedTotal + each * group.customers;
    actualTotal += Number(group.actual);
  }
  const lines: ValidationLine[] = buckets.map((b) => ({
    x: b.x,
    customers: b.customers,
    predicted: b.customers === 0 || b.predicted === null ? null : b.predicted / b.customers,
    actual: b.customers === 0 ? 0 : b.actual / b.customers,
  }));
  return {
    calibrationEnd: new Date(calibrationMs).toISOString(),
    holdoutEnd: new Date(holdoutEnd).toISOString(),
    holdoutWeeks: horizon,
    model: fit,
    perRepeatPurchases: lines,
    total: { customers: summaries.length, predicted: predictedTotal, actual: actualTotal },
  };
}
