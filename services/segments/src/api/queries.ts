import type { Sql } from '@rapport/projections';
import { CustomerNotInSnapshotError, NoSnapshotError } from '../errors';
import { SEGMENT_RULES, SEGMENTS, type Segment } from '../scoring/segment-map';
import { SNAPSHOT_SCHEMA } from '../snapshot/schema';
import type { Boundaries } from '../snapshot/recompute';
import type { ModelReport } from '../snapshot/value-models';
import { encodeCursor, type Cursor, type Sort } from './http-input';

export interface SnapshotRow {
  readonly asOf: string;
  readonly computedAt: string;
  readonly customers: number;
  readonly scored: number;
  readonly excluded: number;
  readonly boundaries: Boundaries;
  readonly model: ModelReport;
  readonly changes: Record<string, unknown>;
}

/** Where an answer comes from: the snapshot at or before the instant asked about. */
export interface Basis {
  readonly asOf: string;
  readonly snapshotAsOf: string;
  /** True when no snapshot was taken at exactly `asOf`, so the nearest earlier one answers. */
  readonly nearestEarlier: boolean;
}

/** The snapshot answering `asOf` (the latest when none is given): never computed on demand, see the README. */
export async function findSnapshot(db: Sql, asOf: string | undefined): Promise<{ snapshot: SnapshotRow; basis: Basis }> {
  const rows = await db.query<{ as_of: Date; computed_at: Date; customers: number; scored: number; excluded: number; boundaries: Boundaries; model: ModelReport; changes: Record<string, unknown> }>(
    `SELECT * FROM ${SNAPSHOT_SCHEMA}.snapshots ${asOf ? 'WHERE as_of <= $1' : ''} ORDER BY as_of DESC LIMIT 1`,
    asOf ? [asOf] : [],
  );
  const row = rows[0];
  if (!row) throw new NoSnapshotError(asOf ?? 'now');
  const snapshotAsOf = row.as_of.toISOString();
  const asked = asOf ? new Date(asOf).toISOString() : snapshotAsOf;
  return {
    snapshot: { asOf: snapshotAsOf, computedAt: row.computed_at.toISOString(), customers: row.customers, scored: row.scored, excluded: row.excluded, boundaries: row.boundaries, model: row.model, changes: row.changes },
    basis: { asOf: asked, snapshotAsOf, nearestEarlier: asked !== snapshotAsOf },
  };
}

export interface SegmentLine {
  readonly segment: Segment;
  readonly customers: number;
  /** Of the customers in the snapshot who are not excluded. */
  readonly share: number;
  /** Minor units of the base currency. */
  readonly netSpend: number;
  readonly averageOrderValue: number | null;
  readonly averageRecencyDays: number | null;
}

export async function segmentTable(db: Sql, snapshot: SnapshotRow): Promise<SegmentLine[]> {
  const rows = await db.query<{ segment: Segment; customers: number; net_spend: string; orders: string; recency: number | null }>(
    `SELECT segment, count(*)::int AS customers, coalesce(sum(monetary), 0) AS net_spend, coalesce(sum(frequency), 0) AS orders, avg(recency_days)::float8 AS recency
       FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1 AND NOT excluded GROUP BY segment`,
    [snapshot.asOf],
  );
  const bySegment = new Map(rows.map((row) => [row.segment, row]));
  const total = rows.reduce((sum, row) => sum + row.customers, 0);
  return SEGMENTS.map((segment) => {
    const row = bySegment.get(segment);
    const customers = row?.customers ?? 0;
    const netSpend = Number(row?.net_spend ?? 0);
    const orders = Number(row?.orders ?? 0);
    return {
      segment,
      customers,
      share: total === 0 ? 0 : customers / total,
      netSpend,
      averageOrderValue: orders === 0 ? null : Math.round(netSpend / orders),
      averageRecencyDays: row?.recency === null || row?.recency === undefined ? null : Math.round(row.recency * 10) / 10,
    };
  });
}

export interface SegmentMember {
  readonly customerId: string;
  readonly scores: { r: number; f: number; m: number } | null;
  readonly recencyDays: number | null;
  readonly frequency: number;
  readonly monetary: number;
  readonly netValue: number;
  readonly growing: boolean;
  readonly negativeValue: boolean;
  readonly pAlive: number | null;
  readonly clv: number | null;
}

const SORT_COLUMN: Record<Sort, { column: string; descending: boolean }> = {
  customerId: { column: 'customer_id', descending: false },
  netValue: { column: 'net_value', descending: true },
  monetary: { column: 'monetary', descending: true },
  clv: { column: 'coalesce(clv, -1)', descending: true },
};

const member = (row: Record<string, unknown>): SegmentMember => ({
  customerId: row.customer_id as string,
  scores: row.r === null ? null : { r: row.r as number, f: row.f as number, m: row.m as number },
  recencyDays: row.recency_days as number | null,
  frequency: row.frequency as number,
  monetary: Number(row.monetary),
  netValue: Number(row.net_value),
  growing: row.growing as boolean,
  negativeValue: Number(row.net_value) < 0,
  pAlive: row.p_alive as number | null,
  clv: row.clv === null ? null : Math.round(row.clv as number),
});

/** One keyset page of a segment, in the sort's order, customer id breaking ties. */
export async function segmentPage(db: Sql, asOf: string, segment: Segment, sort: Sort, cursor: Cursor | undefined, limit: number) {
  const { column, descending } = SORT_COLUMN[sort];
  const params: unknown[] = [asOf, segment, limit + 1];
  let after = '';
  if (cursor) {
    if (sort === 'customerId') {
      params.push(cursor.customerId);
      after = 'AND customer_id > $4';
    } else {
      params.push(cursor.value, cursor.customerId);
      // Descending values, ascending ids within one value.
      after = `AND (${column} < $4 OR (${column} = $4 AND customer_id > $5))`;
    }
  }
  const order = sort === 'customerId' ? 'customer_id' : `${column} ${descending ? 'DESC' : ''}, customer_id`;
  const rows = await db.query<Record<string, unknown>>(
    `SELECT *, ${column} AS sort_value FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1 AND segment = $2 AND NOT excluded ${after} ORDER BY ${order} LIMIT $3`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page[page.length - 1] : undefined;
  return {
    customers: page.map(member),
    nextCursor: last ? encodeCursor({ sort, value: sort === 'customerId' ? null : Number(last.sort_value), customerId: last.customer_id as string }) : null,
  };
}

export const CSV_COLUMNS = ['customer_id', 'r', 'f', 'm', 'recency_days', 'frequency', 'monetary', 'net_value', 'growing', 'p_alive', 'clv'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The whole segment as CSV lines, read page by page so that it is never held in memory. */
export async function* segmentCsv(db: Sql, asOf: string, segment: Segment, allowed?: (customerIds: readonly string[]) => Promise<ReadonlySet<string>>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  let after: string | null = null;
  for (;;) {
    let rows: Record<string, unknown>[] = await db.query<Record<string, unknown>>(
      `SELECT ${CSV_COLUMNS.join(', ')} FROM ${SNAPSHOT_SCHEMA}.customers
        WHERE as_of = $1 AND segment = $2 AND NOT excluded ${after === null ? '' : 'AND customer_id > $3'} ORDER BY customer_id LIMIT 5000`,
      after === null ? [asOf, segment] : [asOf, segment, after],
    );
    if (rows.length === 0) return;
    after = rows[rows.length - 1].customer_id as string;
    if (allowed) {
      const keep = await allowed(rows.map((row) => row.customer_id as string));
      rows = rows.filter((row) => keep.has(row.customer_id as string));
    }
    yield rows.map((row) => `${CSV_COLUMNS.map((column) => csvField(column === 'clv' && row.clv !== null ? Math.round(row.clv as number) : row[column])).join(',')}\r\n`).join('');
  }
}

/** Customers per (from, to) segment between two snapshots; customers new in `to` come from prospect. */
export async function movements(db: Sql, from: string, to: string) {
  const rows = await db.query<{ from: string; to: string; customers: number }>(
    `SELECT coalesce(a.segment, 'prospect') AS "from", b.segment AS "to", count(*)::int AS customers
       FROM ${SNAPSHOT_SCHEMA}.customers b
       LEFT JOIN ${SNAPSHOT_SCHEMA}.customers a ON a.as_of = $1 AND a.customer_id = b.customer_id AND NOT a.excluded
      WHERE b.as_of = $2 AND NOT b.excluded GROUP BY 1, 2`,
    [from, to],
  );
  const matrix: Record<string, Record<string, number>> = Object.fromEntries(SEGMENTS.map((a) => [a, Object.fromEntries(SEGMENTS.map((b) => [b, 0]))]));
  let moved = 0;
  for (const row of rows) {
    matrix[row.from][row.to] = row.customers;
    if (row.from !== row.to) moved += row.customers;
  }
  return { matrix, moved };
}

export const SCORE_FORMULA =
  'score = ceil(5 × rank / n), rank = 1 + number of scored customers with a strictly worse value (R: more days since the last order; F: fewer orders; M: less net spend), n = customers with at least one order who are not excluded; equal values share a score';

export async function customerSegment(db: Sql, snapshot: SnapshotRow, basis: Basis, customerId: string) {
  const [row] = await db.query<Record<string, unknown>>(`SELECT * FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1 AND customer_id = $2`, [snapshot.asOf, customerId]);
  if (!row) throw new CustomerNotInSnapshotError(customerId, snapshot.asOf);
  if (row.excluded) {
    return {
      customerId,
      ...basis,
      excluded: true,
      segment: null,
      explanation: { reason: 'Left out of scoring and exports: the customer’s latest ConsentChanged for purpose profiling by this instant withdrew consent (granted: false).' },
    };
  }
  const scores = row.r === null ? null : { r: row.r as number, f: row.f as number, m: row.m as number };
  const live = await liveMeasures(db, customerId);
  const rule = scores ? SEGMENT_RULES.find((candidate) => candidate.segment === row.segment) : undefined;
  const netValue = Number(row.net_value);
  return {
    customerId,
    ...basis,
    excluded: false,
    segment: row.segment as Segment,
    scores,
    measures: { recencyDays: row.recency_days, frequency: row.frequency, monetary: Number(row.monetary), costToServe: Number(row.cost_to_serve), netValue },
    flags: { negativeValue: netValue < 0, growing: row.growing as boolean, topNetValueQuintile: row.net_value_score === 5 },
    growth: { recent: Number(row.growth_recent), previous: Number(row.growth_previous) },
    live,
    model: {
      x: row.x,
      tx: row.tx,
      T: row.t_big,
      pAlive: row.p_alive,
      expectedPurchases90d: row.expected_90d,
      clv: row.clv === null ? null : Math.round(row.clv as number),
      note: snapshot.model.predictions,
    },
    explanation: {
      formula: SCORE_FORMULA,
      scored: snapshot.scored,
      boundaries: snapshot.boundaries,
      rule: rule ? { segment: rule.segment, pattern: rule.pattern, r: rule.r, f: rule.f } : { segment: 'prospect', pattern: 'no order by this instant' },
    },
  };
}

/**
 * The customer's totals now, kept by the projection as events arrive (the incremental part): they
 * move before the next full recompute moves the scores. Null when the customer has withdrawn
 * profiling consent since.
 */
async function liveMeasures(db: Sql, customerId: string) {
  const [row] = await db.query<Record<string, string | Date | boolean | null>>('SELECT * FROM segments.customers WHERE customer_id = $1', [customerId]);
  if (!row || row.profiling_granted === false) return null;
  return {
    lastOrderAt: row.last_order_at === null ? null : (row.last_order_at as Date).toISOString(),
    orders: Number(row.orders),
    cancellations: Number(row.cancellations),
    netSpend: Number(row.spend) - Number(row.cancelled_spend) - Number(row.refunds),
    complaints: Number(row.complaints),
    callbacks: Number(row.callbacks),
    goodwillPaid: Number(row.goodwill_paid),
  };
}
