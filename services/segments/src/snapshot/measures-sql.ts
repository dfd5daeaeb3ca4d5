import type { SegmentSettings } from '../config';
import { DAY_MS } from '../instants';
import { SEGMENT_RULES } from '../scoring/segment-map';
import { SNAPSHOT_SCHEMA } from './schema';

// The measures of every customer as of $1, in one pass over the facts (see the README for the
// definitions; they are the core's rfmMeasures, netValue, growth and calibrationSummary).
// Days are counted as whole UTC days since 1970-01-01, so the value models' t_x and T come out
// exactly as calibrationSummary measures them. The orders are read once, in the customer index's
// order: two running windows mark each order's first purchase day and the customer's previous
// purchase day, so the purchase-day counts and repeat spend come out of the same GROUP BY as the
// totals, with no second aggregation over (customer, day) and no sort spilled to disk.
//   $1 asOf, $2 cost per complaint, $3 cost per callback, $4 asOf − growth window, $5 asOf − 2 × window
//   (the window's instants computed once, not per row)
export const MEASURES_SQL = `
  CREATE TEMP TABLE seg_measures ON COMMIT DROP AS
  WITH f AS NOT MATERIALIZED (
    -- A merged customer's facts count for its survivor (merges as they stand now: an unmerge and
    -- a recompute of the same asOf give the rows there were).
    SELECT x.event_id, coalesce(m.into_id, x.customer_id) AS customer_id, x.position, x.occurred_at, x.kind, x.order_id, x.amount, x.granted
      FROM segments.facts x LEFT JOIN segments.merges m ON m.customer_id = x.customer_id AND m.into_id IS NOT NULL
     WHERE x.occurred_at <= $1::timestamptz
  ), cancelled AS (
    SELECT DISTINCT customer_id, order_id FROM f WHERE kind = 'cancel'
  ), orders AS (
    SELECT f.customer_id, f.occurred_at, f.amount, c.order_id IS NULL AS kept,
           ((f.occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01') AS day
      FROM f LEFT JOIN cancelled c ON c.customer_id = f.customer_id AND c.order_id = f.order_id
     WHERE f.kind = 'order'
  ), marked AS (
    SELECT customer_id, occurred_at, amount, kept, day,
           min(day) FILTER (WHERE kept) OVER running AS first_day_so_far,
           max(day) FILTER (WHERE kept) OVER before AS kept_day_before
      FROM orders
    WINDOW running AS (PARTITION BY customer_id ORDER BY occurred_at ROWS UNBOUNDED PRECEDING),
           before AS (PARTITION BY customer_id ORDER BY occurred_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
  ), order_totals AS (
    SELECT customer_id,
           max(occurred_at) AS last_order_at,
           count(*) FILTER (WHERE kept) AS frequency,
           coalesce(sum(amount) FILTER (WHERE kept), 0) AS spend,
           coalesce(sum(amount) FILTER (WHERE kept AND occurred_at > $4::timestamptz), 0) AS recent,
           coalesce(sum(amount) FILTER (WHERE kept AND occurred_at > $5::timestamptz AND occurred_at <= $4::timestamptz), 0) AS previous,
           nullif(count(*) FILTER (WHERE kept AND (kept_day_before IS NULL OR day > kept_day_before)), 0) - 1 AS x,
           min(day) FILTER (WHERE kept) AS first_day,
           max(day) FILTER (WHERE kept) AS last_day,
           CASE WHEN bool_or(kept) THEN coalesce(sum(amount) FILTER (WHERE kept AND day > first_day_so_far), 0) END AS repeat_value
      FROM marked GROUP BY customer_id
  ), other AS (
    SELECT customer_id,
           count(*) FILTER (WHERE kind = 'complaint') AS complaints,
           count(*) FILTER (WHERE kind = 'callback') AS callbacks,
           coalesce(sum(amount) FILTER (WHERE kind = 'compensation'), 0) AS goodwill_paid,
           coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS refunds,
           coalesce(sum(amount) FILTER (WHERE kind = 'refund' AND occurred_at > $4::timestamptz), 0) AS refunds_recent,
           coalesce(sum(amount) FILTER (WHERE kind = 'refund' AND occurred_at > $5::timestamptz
                                        AND occurred_at <= $4::timestamptz), 0) AS refunds_previous,
           (array_agg(granted ORDER BY occurred_at DESC, position DESC) FILTER (WHERE kind = 'consent'))[1] AS profiling_granted
      -- every kind but 'order', spelled out so the (kind, occurred_at) index can answer it
      FROM f WHERE kind IN ('seen', 'cancel', 'refund', 'complaint', 'callback', 'compensation', 'consent') GROUP BY customer_id
  )
  SELECT coalesce(o.customer_id, t.customer_id) AS customer_id,
         coalesce(o.profiling_granted, true) = false AS excluded,
         (floor(extract(epoch FROM ($1 - t.last_order_at)) / 86400))::int AS recency_days,
         coalesce(t.frequency, 0)::int AS frequency,
         (coalesce(t.spend, 0) - coalesce(o.refunds, 0))::bigint AS monetary,
         (coalesce(o.complaints, 0) * $2::bigint + coalesce(o.callbacks, 0) * $3::bigint + coalesce(o.goodwill_paid, 0))::bigint AS cost_to_serve,
         (coalesce(t.recent, 0) - coalesce(o.refunds_recent, 0))::bigint AS growth_recent,
         (coalesce(t.previous, 0) - coalesce(o.refunds_previous, 0))::bigint AS growth_previous,
         t.x::int AS x, t.first_day, t.last_day, t.repeat_value::bigint AS repeat_value
    FROM other o FULL JOIN order_totals t ON t.customer_id = o.customer_id`;

export function measuresParameters(asOf: string, settings: SegmentSettings): unknown[] {
  const end = Date.parse(asOf);
  const window = settings.growth.windowDays * DAY_MS;
  return [asOf, settings.costs.perComplaint, settings.costs.perCallback, new Date(end - window).toISOString(), new Date(end - 2 * window).toISOString()];
}

/** Distinct (x, t_x, first day) of the customers the value models use, with how many share each. */
export const MODEL_GROUPS_SQL = `
  SELECT x, last_day - first_day AS tx_days, first_day, count(*)::int AS customers
    FROM seg_measures WHERE NOT excluded AND x IS NOT NULL GROUP BY 1, 2, 3`;

// A deterministic sample of the customers (every customer when $1 = 1): hash of the id modulo $1.
const SAMPLE = `(hashtext(customer_id) & 2147483647) % $1::int = 0`;

/** The same for the fit, on a sample of the customers when the population is large. */
export const FIT_GROUPS_SQL = `
  SELECT x, last_day - first_day AS tx_days, first_day, count(*)::int AS customers
    FROM seg_measures WHERE NOT excluded AND x IS NOT NULL AND ${SAMPLE} GROUP BY 1, 2, 3`;

/** Distinct (x, repeat spend) of the (sampled) customers with repeat purchases, for Gamma-Gamma. */
export const SPEND_GROUPS_SQL = `
  SELECT x, repeat_value, count(*)::int AS customers
    FROM seg_measures WHERE NOT excluded AND x > 0 AND repeat_value > 0 AND ${SAMPLE} GROUP BY 1, 2`;

const segmentCase = (r: string, f: string) =>
  `CASE ${SEGMENT_RULES.map((rule) => `WHEN ${r} BETWEEN ${rule.r[0]} AND ${rule.r[1]} AND ${f} BETWEEN ${rule.f[0]} AND ${rule.f[1]} THEN '${rule.segment}'`).join(' ')} END`;

// score = ceil(5 × rank / n) with rank() = 1 + the rows strictly before in the window's order,
// i.e. strictly worse; integer arithmetic keeps the ceiling exact.
const score = (order: string) => `((5 * rank() OVER (ORDER BY ${order}) + n - 1) / n)::smallint`;

/**
 * Every customer's scores, segment, flags and model values into the snapshot $1. Cells of the
 * value models come from seg_cells (x, tx_days, first_day → p_alive, expected_90d, discounted).
 *   $1 asOf, $2 growth ratio, $3 growth minimum, $4 Gamma-Gamma p, $5 q, $6 γ in minor units
 */
export const INSERT_SNAPSHOT_CUSTOMERS_SQL = `
  INSERT INTO ${SNAPSHOT_SCHEMA}.customers
  WITH population AS (
    SELECT count(*) AS n FROM seg_measures WHERE NOT excluded AND recency_days IS NOT NULL
  ), scored AS (
    SELECT m.*, p.n FROM seg_measures m CROSS JOIN population p WHERE NOT m.excluded AND m.recency_days IS NOT NULL
  ), ranked AS (
    SELECT s.*, ${score('recency_days DESC')} AS r, ${score('frequency')} AS f, ${score('monetary')} AS m,
           ${score('monetary - cost_to_serve')} AS net_value_score
      FROM scored s
  ), everyone AS (
    SELECT customer_id, excluded, recency_days, frequency, monetary, r, f, m, net_value_score, cost_to_serve, growth_recent, growth_previous,
           x, first_day, last_day, repeat_value FROM ranked
    UNION ALL
    SELECT customer_id, excluded, recency_days, frequency, monetary, NULL, NULL, NULL, NULL, cost_to_serve, growth_recent, growth_previous,
           x, first_day, last_day, repeat_value FROM seg_measures WHERE excluded OR recency_days IS NULL
  )
  SELECT $1::timestamptz, e.customer_id, e.excluded,
         CASE WHEN e.excluded THEN NULL ELSE e.recency_days END,
         CASE WHEN e.excluded THEN NULL ELSE e.frequency END,
         CASE WHEN e.excluded THEN NULL ELSE e.monetary END,
         e.r, e.f, e.m,
         CASE WHEN e.excluded THEN NULL WHEN e.r IS NULL THEN 'prospect' ELSE ${segmentCase('e.r', 'e.f')} END,
         CASE WHEN e.excluded THEN NULL ELSE e.cost_to_serve END,
         CASE WHEN e.excluded THEN NULL ELSE e.monetary - e.cost_to_serve END,
         e.net_value_score,
         CASE WHEN e.excluded THEN NULL ELSE e.growth_recent END,
         CASE WHEN e.excluded THEN NULL ELSE e.growth_previous END,
         CASE WHEN e.excluded THEN NULL ELSE e.growth_recent > $2::float8 * e.growth_previous AND e.growth_recent >= $3::bigint END,
         CASE WHEN e.excluded THEN NULL ELSE e.x END,
         CASE WHEN e.excluded THEN NULL ELSE (e.last_day - e.first_day) / 7.0 END,
         CASE WHEN e.excluded THEN NULL ELSE (extract(epoch FROM $1::timestamptz) - e.first_day * 86400.0) / 604800.0 END,
         CASE WHEN e.excluded THEN NULL ELSE e.repeat_value END,
         c.p_alive, c.expected_90d,
         CASE WHEN $5::float8 <= 1 OR c.discounted IS NULL THEN NULL
              ELSE c.discounted * ($6::float8 + e.repeat_value) * $4::float8 / ($4::float8 * e.x + $5::float8 - 1) END
    FROM everyone e
    LEFT JOIN seg_cells c ON NOT e.excluded AND c.x = e.x AND c.tx_days = e.last_day - e.first_day AND c.first_day = e.first_day`;

/** Lowest and highest value that got each score, per measure. */
export const BOUNDARIES_SQL = `
  SELECT 'r' AS measure, r AS score, min(recency_days) AS lowest, max(recency_days) AS highest FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1 AND r IS NOT NULL GROUP BY r
  UNION ALL
  SELECT 'f', f, min(frequency), max(frequency) FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1 AND f IS NOT NULL GROUP BY f
  UNION ALL
  SELECT 'm', m, min(monetary), max(monetary) FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1 AND m IS NOT NULL GROUP BY m
  UNION ALL
  SELECT 'netValue', net_value_score, min(net_value), max(net_value) FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1 AND net_value_score IS NOT NULL GROUP BY net_value_score`;
