import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { poolDatabase } from '@rapport/projections';
import { DEFAULT_SETTINGS } from '@rapport/segments';
import { factsProjection } from '@rapport/segments/src/facts/projection';
import { recomputeSnapshot } from '@rapport/segments/src/snapshot/recompute';
import { migrateSnapshots } from '@rapport/segments/src/snapshot/schema';
import { timelineProjection } from '@rapport/timeline';
import type { Pool } from 'pg';
import { fmt, mark, printTable, rssSampler, say, seedOnlineRetail, startBenchDatabase, timeProjections as timed } from './bench-kit';

// `npm run bench:segments`, on a temporary embedded PostgreSQL (fsync on):
// 1. incremental: the Online Retail import through the segments projection, beside the timeline
//    projection over the same events in the same run;
// 2. full recompute (measures, scores, fits, predictions, snapshot) for BENCH_CUSTOMERS synthetic
//    customers (1,000,000 by default), whose facts are written straight into the projection's table.

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const AS_OF = '2012-01-01T00:00:00.000Z';
const DAYS = 730;
const TARGETS = { recomputeSeconds: 30, rssMb: 1024, perSecond: 10_000 } as const;

/** Buy-till-you-die customers: acquired over the first year, a personal rate and dropout chance, a few order values. */
async function seedSynthetic(pool: Pool): Promise<number> {
  let state = 20_251_204;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  let orders = 0;
  const chunk = 100_000;
  for (let start = 0; start < CUSTOMERS; start += chunk) {
    const ids: string[] = [];
    const days: number[] = [];
    const amounts: number[] = [];
    for (let c = start; c < Math.min(CUSTOMERS, start + chunk); c++) {
      const meanGap = 7 + random() * 120;
      const dropout = random() * 0.6;
      for (let day = Math.floor(random() * 365); day < DAYS; day += 1 + Math.floor(-Math.log(1 - random()) * meanGap)) {
        ids.push(`syn-${c}`);
        days.push(day);
        amounts.push([2_000, 3_000, 5_000][Math.floor(random() * 3)]);
        if (random() < dropout) break;
      }
    }
    await pool.query(
      `INSERT INTO segments.facts (event_id, customer_id, position, occurred_at, kind, order_id, amount, granted)
       SELECT gen_random_uuid(), c, 0, timestamptz '2010-01-01 10:00:00+00' + d * interval '1 day', 'order', c || '-' || d, a, NULL
         FROM unnest($1::text[], $2::int[], $3::bigint[]) AS t(c, d, a)`,
      [ids, days, amounts],
    );
    orders += ids.length;
  }
  await pool.query('ANALYZE segments_g1.facts');
  return orders;
}

async function main(): Promise<void> {
  const rss = rssSampler();
  const bench = await startBenchDatabase();
  try {
    const { store, pool } = bench;
    const { events } = await seedOnlineRetail(store);
    say(`  ${fmt(events)} events`);
    say('timeline projection over the import …');
    const timelineSeconds = await timed(pool, store, [timelineProjection]);
    say('segments projection over the import …');
    const segmentsSeconds = await timed(pool, store, [factsProjection(DEFAULT_SETTINGS)]);

    say(`writing ${fmt(CUSTOMERS)} synthetic customers' orders into segments.facts …`);
    await pool.query('DELETE FROM segments.facts');
    await migrateSnapshots(poolDatabase(pool));
    const orders = await seedSynthetic(pool);
    say(`  ${fmt(orders)} orders`);
    say(`full recompute as of ${AS_OF} …`);
    rss.reset();
    const started = performance.now();
    const phases: [string, number][] = [];
    const snapshot = await recomputeSnapshot(poolDatabase(pool), DEFAULT_SETTINGS, AS_OF, undefined, (name, ms) => phases.push([name, ms]));
    const recomputeSeconds = (performance.now() - started) / 1000;
    const recomputeRss = rss.peak();

    const bgNbd = snapshot.model.bgNbd as { parameters?: Record<string, number>; distinctSummaries?: number };
    const rows = [
      ['', 'measured', 'target', ''],
      [
        `full recompute, ${fmt(snapshot.scored)} customers`,
        `${fmt(recomputeSeconds, 1)} s, ${fmt(snapshot.scored / recomputeSeconds)} customers/s`,
        `≤ ${TARGETS.recomputeSeconds} s`,
        mark(recomputeSeconds <= TARGETS.recomputeSeconds),
      ],
      ['peak RSS (this Node process) during it', `${fmt(recomputeRss / 1024 / 1024)} MB`, '≤ 1,024 MB', mark(recomputeRss / 1024 / 1024 <= TARGETS.rssMb)],
      ['segments projection (incremental), Online Retail', `${fmt(events / segmentsSeconds)} events/s  (${fmt(segmentsSeconds, 1)} s)`, '≥ 10,000 events/s', mark(events / segmentsSeconds >= TARGETS.perSecond)],
      ['timeline projection, same events, same run', `${fmt(events / timelineSeconds)} events/s  (${fmt(timelineSeconds, 1)} s)`, '(baseline)', ''],
    ];
    printTable('segments', rows);
    console.log(
      `\n${fmt(orders)} synthetic orders; BG/NBD fitted on ${snapshot.model.sample ? `a sample of ${fmt(snapshot.model.sample.customers)}` : 'all'} customers` +
        ` (${bgNbd.parameters ? Object.entries(bgNbd.parameters).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ') : 'not fitted'}); predictions: ${snapshot.model.predictions}.`,
    );
    console.log(`recompute phases: ${phases.map(([name, ms]) => `${name} ${fmt(ms / 1000, 1)} s`).join(', ')}`);
  } finally {
    rss.stop();
    await bench.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
