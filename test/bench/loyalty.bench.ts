import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { createLoyaltyApp, defaultRuleBook, loyaltyProjections, startLoyalty } from '@rapport/loyalty';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { timelineProjection } from '@rapport/timeline';
import { fmt, mark, percentile, printTable, rssSampler, say, seedOnlineRetail, startBenchDatabase, timeProjections as timed } from './bench-kit';

// `npm run bench:loyalty`: the Online Retail import through the loyalty processor on a
// temporary embedded PostgreSQL (fsync on), beside the timeline projection over the same
// events in the same run; then redemption latency at 16 concurrent clients.
// BENCH_FILE picks another file; BENCH_REDEMPTIONS the number of POSTs.

const REDEMPTIONS = Number(process.env.BENCH_REDEMPTIONS ?? 3200);
const CLIENTS = 16;
const TARGETS = { perSecond: 10_000, redemptionP99Ms: 20, rssMb: 300 } as const;
const NOW = new Date('2011-12-10T00:00:00Z');

async function main(): Promise<void> {
  const rss = rssSampler();
  const bench = await startBenchDatabase();
  try {
    const { store, pool } = bench;
    const { events, facts } = await seedOnlineRetail(store);
    say(`  ${fmt(events)} events, ${fmt(facts)} of them orders and returns`);
    rss.reset();

    const rules = defaultRuleBook();
    const clock = { now: () => NOW };
    const [processor, readModel] = loyaltyProjections({ store, rules, clock });
    say('timeline projection over the import …');
    const timelineSeconds = await timed(pool, store, [timelineProjection]);
    say('loyalty processor over the import …');
    const processorSeconds = await timed(pool, store, [processor]);
    const head = await store.headPosition();
    const loyaltyEvents = head - events;
    say(`  ${fmt(loyaltyEvents)} loyalty events decided`);
    say('loyalty read model over the loyalty events …');
    const readModelSeconds = await timed(pool, store, [readModel]);
    const processorRss = rss.peak();

    say(`scheduler up to ${NOW.toISOString()} …`);
    const loyalty = await startLoyalty({ store, pool, rules, clock, runProjections: false, schedulerIntervalMs: 0 });
    const schedulerStart = performance.now();
    const scheduled = await loyalty.scheduler.runDue();
    const schedulerSeconds = (performance.now() - schedulerStart) / 1000;
    await loyalty.stop();
    await timed(pool, store, [readModel]);

    say(`${fmt(REDEMPTIONS)} redemptions from ${CLIENTS} concurrent clients …`);
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    const key = (await apiKeys.create({ role: 'support', name: 'bench-support' })).key;
    const app = await createLoyaltyApp({ store, pool, rules, clock, runProjections: false, schedulerIntervalMs: 0, apiKeys, logger: createLogger({ level: 'warn', serviceName: 'bench' }) });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const rich = (await pool.query<{ customer_id: string }>('SELECT customer_id FROM loyalty.accounts ORDER BY available DESC LIMIT 400')).rows.map((row) => row.customer_id);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const client = async () => {
      for (let n = next++; n < REDEMPTIONS; n = next++) {
        const customerId = rich[(n * 7919) % rich.length];
        const started = performance.now();
        const response = await fetch(`${url}/v1/customers/${customerId}/loyalty/redemptions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ points: 1, reason: 'bench', idempotencyKey: `bench-${n}` }),
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await app.close();
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);

    const processorRate = events / processorSeconds;
    const rows = [
      ['', 'measured', 'target', ''],
      ['loyalty processor (source events/s)', `${fmt(processorRate)} events/s  (${fmt(processorSeconds, 1)} s; ${fmt(facts / processorSeconds)} orders+returns/s)`, '≥ 10,000 events/s', mark(processorRate >= TARGETS.perSecond)],
      ['timeline projection, same events, same run', `${fmt(events / timelineSeconds)} events/s  (${fmt(timelineSeconds, 1)} s)`, '(baseline)', ''],
      ['loyalty read model (loyalty events/s)', `${fmt(loyaltyEvents / readModelSeconds)} events/s  (${fmt(readModelSeconds, 1)} s)`, '≥ 10,000 events/s', mark(loyaltyEvents / readModelSeconds >= TARGETS.perSecond)],
      ['scheduler to 2011-12-10', `${fmt(scheduled)} events in ${fmt(schedulerSeconds, 1)} s`, '', ''],
      [`redemption p50 / p99 @ ${CLIENTS} clients`, `${fmt(p50, 2)} / ${fmt(p99, 2)} ms`, 'p99 ≤ 20 ms', mark(p99 <= TARGETS.redemptionP99Ms)],
      ['peak RSS while processing', `${fmt(processorRss / 1024 / 1024)} MB`, '≤ 300 MB', mark(processorRss / 1024 / 1024 <= TARGETS.rssMb)],
      ['peak RSS overall (incl. load clients)', `${fmt(rss.peak() / 1024 / 1024)} MB`, '', ''],
    ];
    printTable('loyalty', rows);
    console.log(`\nredemptions: ${[...statuses].map(([status, count]) => `${count} × ${status}`).join(', ')} (1 point each over the ${rich.length} richest accounts).`);
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
