import { performance } from 'node:perf_hooks';
import type { Database } from '@rapport/projections';
import type { SegmentSettings } from '../config';
import { BOUNDARIES_SQL, FIT_GROUPS_SQL, INSERT_SNAPSHOT_CUSTOMERS_SQL, MEASURES_SQL, measuresParameters, MODEL_GROUPS_SQL, SPEND_GROUPS_SQL } from './measures-sql';
import { SNAPSHOT_SCHEMA } from './schema';
import { fitModels, type ModelReport } from './value-models';

/** Above this many modelled customers the fit runs on a deterministic sample of about this size. */
export const FIT_SAMPLE_CUSTOMERS = 10_000;

const RECOMPUTE_WORK_MEM = '256MB';

export interface Band {
  readonly score: number;
  readonly lowest: number;
  readonly highest: number;
}

export type Boundaries = Record<'r' | 'f' | 'm' | 'netValue', Band[]>;

export interface SnapshotSummary {
  readonly asOf: string;
  readonly computedAt: string;
  /** Customers with any fact by asOf, excluded ones included. */
  readonly customers: number;
  /** Customers with an order, not excluded: the n of the score formula. */
  readonly scored: number;
  /** Left out because their latest profiling consent by asOf is withdrawn. */
  readonly excluded: number;
  readonly boundaries: Boundaries;
  readonly model: ModelReport;
}

/**
 * A full recompute as of `asOf`: measures aggregated in SQL, value models fitted in Node on the
 * distinct summaries SQL hands back, scores by window functions, all written as the snapshot of
 * `asOf` in one transaction (a recompute of the same instant replaces it).
 */
export async function recomputeSnapshot(
  db: Database,
  settings: SegmentSettings,
  asOf: string,
  now: () => Date = () => new Date(),
  onPhase: (phase: string, milliseconds: number) => void = () => undefined,
): Promise<SnapshotSummary> {
  const asOfMs = Date.parse(asOf);
  const { growth } = settings;
  let mark = performance.now();
  const phase = (name: string) => {
    const at = performance.now();
    onPhase(name, at - mark);
    mark = at;
  };
  return db.transaction(async (tx) => {
    // One recompute at a time: a second waits, then replaces or follows it.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${SNAPSHOT_SCHEMA}.recompute`]);
    // The aggregates and the score windows sort the whole population: in memory, not in temp files.
    await tx.query(`SET LOCAL work_mem = '${RECOMPUTE_WORK_MEM}'`);
    // Temp tables of a million rows overflow the default 8 MB of local buffers; the size can only be
    // set before a session's first temp table, so a pooled connection that had one keeps its own.
    await tx.query('SAVEPOINT temp_buffers');
    await tx.query(`SET LOCAL temp_buffers = '${RECOMPUTE_WORK_MEM}'`).then(
      () => tx.query('RELEASE SAVEPOINT temp_buffers'),
      () => tx.query('ROLLBACK TO SAVEPOINT temp_buffers'),
    );
    phase('lock');
    await tx.query(MEASURES_SQL, measuresParameters(asOf, settings));
    await tx.query('ANALYZE seg_measures');
    phase('measures (SQL)');
    type GroupRow = { x: number; tx_days: number; first_day: number; customers: number };
    const toGroup = (g: GroupRow) => ({ x: g.x, txDays: g.tx_days, firstDay: g.first_day, customers: g.customers });
    const groups = (await tx.query<GroupRow>(MODEL_GROUPS_SQL)).map(toGroup);
    const modelled = groups.reduce((sum, g) => sum + g.customers, 0);
    const modulus = Math.max(1, Math.ceil(modelled / FIT_SAMPLE_CUSTOMERS));
    const fitGroups = modulus === 1 ? groups : (await tx.query<GroupRow>(FIT_GROUPS_SQL, [modulus])).map(toGroup);
    const spendGroups = await tx.query<{ x: number; repeat_value: string; customers: number }>(SPEND_GROUPS_SQL, [modulus]);
    const models = fitModels(
      groups,
      fitGroups,
      spendGroups.map((g) => ({ x: g.x, repeatValue: Number(g.repeat_value), customers: g.customers })),
      asOfMs,
      settings.baseCurrency,
      { modulus, customers: fitGroups.reduce((sum, g) => sum + g.customers, 0) },
    );
    phase('fit and predictions (Node)');
    await tx.query(
      `CREATE TEMP TABLE seg_cells ON COMMIT DROP AS
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(x int, tx_days int, first_day int, p_alive float8, expected_90d float8, discounted float8)`,
      [JSON.stringify(models.cells)],
    );
    await tx.query('CREATE INDEX ON seg_cells (x, tx_days, first_day)');
    await tx.query(`DELETE FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1`, [asOf]);
    const spend = models.spend ?? { p: 1, q: 0, gammaMinor: 0 };
    phase('cells to SQL');
    await tx.query(INSERT_SNAPSHOT_CUSTOMERS_SQL, [asOf, growth.ratio, growth.minimumAmount, spend.p, spend.q, spend.gammaMinor]);
    phase('scores and snapshot rows (SQL)');
    const bands = await tx.query<{ measure: keyof Boundaries; score: number; lowest: string; highest: string }>(BOUNDARIES_SQL, [asOf]);
    const boundaries: Boundaries = { r: [], f: [], m: [], netValue: [] };
    for (const band of bands) boundaries[band.measure].push({ score: band.score, lowest: Number(band.lowest), highest: Number(band.highest) });
    for (const list of Object.values(boundaries)) list.sort((p, q) => p.score - q.score);
    const [counts] = await tx.query<{ customers: number; scored: number; excluded: number }>(
      `SELECT count(*)::int AS customers, count(*) FILTER (WHERE r IS NOT NULL)::int AS scored, count(*) FILTER (WHERE excluded)::int AS excluded
         FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1`,
      [asOf],
    );
    const computedAt = now().toISOString();
    await tx.query(
      `INSERT INTO ${SNAPSHOT_SCHEMA}.snapshots (as_of, computed_at, customers, scored, excluded, boundaries, model, settings)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (as_of) DO UPDATE SET computed_at = excluded.computed_at, customers = excluded.customers, scored = excluded.scored,
              excluded = excluded.excluded, boundaries = excluded.boundaries, model = excluded.model, settings = excluded.settings`,
      [asOf, computedAt, counts.customers, counts.scored, counts.excluded, JSON.stringify(boundaries), JSON.stringify(models.report), JSON.stringify(settings)],
    );
    phase('boundaries and summary');
    return { asOf: new Date(asOfMs).toISOString(), computedAt, ...counts, boundaries, model: models.report };
  }).finally(() => phase('commit'));
}
