import 'reflect-metadata';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { streamIdFor, toStoredEvent, type Envelope, type Subject } from '@rapport/contracts';
import { RetailEventMapper, RetailMappingError, type RetailEvent } from '@rapport/cli/src/online-retail/mapping';
import { planInvoices, readInvoices } from '@rapport/cli/src/online-retail/reader';
import { createPostgresEventStore, type PostgresEventStore, type StreamAppend } from '@rapport/event-store';
import { createLoyaltyApp, defaultRuleBook, loyaltyProjections, startLoyalty } from '@rapport/loyalty';
import { ApiKeyStore, createLogger, startEmbeddedPostgres, type EmbeddedServer } from '@rapport/platform';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection } from '@rapport/projections';
import { timelineProjection } from '@rapport/timeline';
import { Client, Pool } from 'pg';

// `npm run bench:loyalty`: the Online Retail import through the loyalty processor on a
// temporary embedded PostgreSQL (fsync on), beside the timeline projection over the same
// events in the same run; then redemption latency at 16 concurrent clients.
// BENCH_FILE picks another file; BENCH_REDEMPTIONS the number of POSTs.

const FILE = process.env.BENCH_FILE ?? join(__dirname, '..', '..', '..', 'shared', 'data', 'online-retail.csv.gz');
const REDEMPTIONS = Number(process.env.BENCH_REDEMPTIONS ?? 3200);
const CLIENTS = 16;
const TARGETS = { perSecond: 10_000, redemptionP99Ms: 20, rssMb: 300 } as const;
const NOW = new Date('2011-12-10T00:00:00Z');

const say = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (value: number, digits = 0) => value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function seed(store: PostgresEventStore): Promise<{ events: number; facts: number }> {
  const plan = await planInvoices(FILE);
  const mapper = new RetailEventMapper();
  let batch: RetailEvent[] = [];
  let events = 0;
  let facts = 0;
  const flush = async () => {
    const streams = new Map<string, StreamAppend['events'][number][]>();
    for (const event of batch) {
      const streamId = streamIdFor(event as Subject);
      if (!streams.has(streamId)) streams.set(streamId, []);
      streams.get(streamId)!.push(toStoredEvent({ ...event, version: 1 } as Envelope<string, unknown>, event.occurredAt));
    }
    await store.appendMany([...streams].map(([streamId, list]) => ({ streamId, expectedRevision: 'any', events: list })));
    events += batch.length;
    facts += batch.filter((event) => event.type !== 'CustomerRegistered').length;
    batch = [];
  };
  for await (const invoice of readInvoices(FILE, plan)) {
    try {
      batch.push(...mapper.map(invoice));
    } catch (error) {
      if (!(error instanceof RetailMappingError)) throw error;
    }
    if (batch.length >= 2000) await flush();
  }
  await flush();
  return { events, facts };
}

async function timed(pool: Pool, store: PostgresEventStore, projections: readonly Projection<any>[]): Promise<number> {
  const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections, source: storeSource(store, { batchSize: 1000 }) });
  const started = performance.now();
  await runtime.start();
  await runtime.settled(3_600_000);
  const seconds = (performance.now() - started) / 1000;
  await runtime.stop();
  return seconds;
}

async function main(): Promise<void> {
  let postgres: EmbeddedServer | undefined;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    say('starting a temporary PostgreSQL (fsync on) …');
    postgres = await startEmbeddedPostgres();
    const admin = new Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const databaseUrl = postgres.adminUrl.replace(/\/postgres$/, '/bench');
    const store = await createPostgresEventStore({ connectionString: databaseUrl });
    const pool = new Pool({ connectionString: databaseUrl, max: 4 });
    for (const each of [store.pool, pool]) each.on('error', () => undefined);

    say(`storing the Online Retail import (${FILE}) …`);
    const { events, facts } = await seed(store);
    say(`  ${fmt(events)} events, ${fmt(facts)} of them orders and returns`);
    peakRss = process.memoryUsage().rss;

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
    const processorRss = peakRss;

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

    const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    const processorRate = events / processorSeconds;
    const rows = [
      ['', 'measured', 'target', ''],
      ['loyalty processor (source events/s)', `${fmt(processorRate)} events/s  (${fmt(processorSeconds, 1)} s; ${fmt(facts / processorSeconds)} orders+returns/s)`, '≥ 10,000 events/s', mark(processorRate >= TARGETS.perSecond)],
      ['timeline projection, same events, same run', `${fmt(events / timelineSeconds)} events/s  (${fmt(timelineSeconds, 1)} s)`, '(baseline)', ''],
      ['loyalty read model (loyalty events/s)', `${fmt(loyaltyEvents / readModelSeconds)} events/s  (${fmt(readModelSeconds, 1)} s)`, '≥ 10,000 events/s', mark(loyaltyEvents / readModelSeconds >= TARGETS.perSecond)],
      ['scheduler to 2011-12-10', `${fmt(scheduled)} events in ${fmt(schedulerSeconds, 1)} s`, '', ''],
      [`redemption p50 / p99 @ ${CLIENTS} clients`, `${fmt(p50, 2)} / ${fmt(p99, 2)} ms`, 'p99 ≤ 20 ms', mark(p99 <= TARGETS.redemptionP99Ms)],
      ['peak RSS while processing', `${fmt(processorRss / 1024 / 1024)} MB`, '≤ 300 MB', mark(processorRss / 1024 / 1024 <= TARGETS.rssMb)],
      ['peak RSS overall (incl. load clients)', `${fmt(peakRss / 1024 / 1024)} MB`, '', ''],
    ];
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    console.log(`\nRapport loyalty benchmark — embedded PostgreSQL (fsync on), ${cpus().length} CPUs, Node ${process.version}`);
    for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('   ').trimEnd());
    console.log(`\nredemptions: ${[...statuses].map(([status, count]) => `${count} × ${status}`).join(', ')} (1 point each over the ${rich.length} richest accounts).`);
    await store.close();
    await pool.end();
  } finally {
    clearInterval(sampler);
    await postgres?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
