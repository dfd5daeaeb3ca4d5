import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { IngestModule } from '@rapport/ingest';
import { ApiKeyStore, createLogger, startEmbeddedPostgres, type EmbeddedServer } from '@rapport/platform';
import { createHttpApp, PlatformModule } from '@rapport/platform/nest';
import type { ProjectionRuntime } from '@rapport/projections';
import { TIMELINE, TimelineModule, type Timeline } from '@rapport/timeline';
import { Client, Pool } from 'pg';
import type { LoadResult, LoadTask } from './timeline-load';
import { BIG_CUSTOMER, seedHistory } from './timeline-workload';

// `npm run bench:timeline`: one run on a temporary embedded PostgreSQL (fsync on), every
// figure beside its target. BENCH_EVENTS, BENCH_RATE, BENCH_LAG_SECONDS and BENCH_LAG_BATCH
// scale it. Run it with a V8 heap cap (see the npm script): left uncapped on a big machine,
// V8 lets garbage pile up far past 300 MB before collecting it.

const TARGETS = { rebuildPerSecond: 10_000, lagP99Ms: 250, pageP99Ms: 20, rssMb: 300 } as const;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 30);
/** Events per POST /v1/events/batch in the lag run: 1,000 events/s arrive as 100 requests/s. */
const LAG_BATCH = Number(process.env.BENCH_LAG_BATCH ?? 10);
const PER_CUSTOMER = 98;

const say = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (value: number, digits = 0) => value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

class BenchRig {
  postgres?: EmbeddedServer;
  store?: PostgresEventStore;
  pool?: Pool;
  app?: NestFastifyApplication;
  load?: ChildProcess;

  async stop(): Promise<void> {
    this.load?.kill();
    await this.app?.close().catch(() => undefined);
    await this.store?.close().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    await this.postgres?.stop();
  }
}

function runTask(child: ChildProcess, task: LoadTask): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: { result?: LoadResult; error?: string }) => (message.result ? resolve(message.result) : reject(new Error(message.error))));
    child.send(task);
  });
}

async function main(): Promise<void> {
  const rig = new BenchRig();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void rig.stop().finally(() => process.exit(130)));
  try {
    say('starting a temporary PostgreSQL (fsync on) …');
    rig.postgres = await startEmbeddedPostgres();
    const admin = new Client({ connectionString: rig.postgres.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const databaseUrl = rig.postgres.adminUrl.replace(/\/postgres$/, '/bench');
    rig.store = await createPostgresEventStore({ connectionString: databaseUrl });
    rig.pool = new Pool({ connectionString: databaseUrl, max: 2 });
    // Idle connections die when PostgreSQL stops at the end; that is not a failure of the run.
    for (const pool of [rig.store.pool, rig.pool]) pool.on('error', () => undefined);
    const apiKeys = new ApiKeyStore(rig.pool);
    await apiKeys.migrate();
    const emitterKey = (await apiKeys.create({ role: 'emitter', name: 'bench-emitter' })).key;
    const supportKey = (await apiKeys.create({ role: 'support', name: 'bench-support' })).key;

    say(`writing ${fmt(EVENTS)} events to the store …`);
    let lastShown = 0;
    const stored = await seedHistory(rig.store, EVENTS, PER_CUSTOMER, (written) => {
      if (written - lastShown >= 50_000) say(`  ${fmt((lastShown = written))}`);
    });
    const rss = () => `${fmt(process.memoryUsage().rss / 1024 / 1024)} MB RSS`;
    // Only the serving phases count towards the RSS target; seeding is the benchmark's own work.
    peakRss = process.memoryUsage().rss;
    say(`  done (${rss()})`);

    // The app the embedded platform serves, minus the other services: ingest and timeline in one process.
    const store = rig.store;
    @Module({
      imports: [
        PlatformModule.forRoot({ apiKeys, serviceName: 'bench' }),
        IngestModule.register({ store }),
        TimelineModule.register({ store, databaseUrl, batchSize: 1000 }),
      ],
    })
    class BenchAppModule {}
    say('starting ingest + timeline; the projections build from position 0 …');
    const initialStart = performance.now();
    rig.app = await createHttpApp(BenchAppModule, { logger: createLogger({ level: 'warn', serviceName: 'bench' }) });
    await rig.app.listen(0, '127.0.0.1');
    const url = await rig.app.getUrl();
    const runtime = rig.app.get<Timeline>(TIMELINE).projections as ProjectionRuntime;
    await runtime.settled(3_600_000);
    const initialSeconds = (performance.now() - initialStart) / 1000;
    say(`  built in ${fmt(initialSeconds, 1)} s (${rss()})`);

    say('rebuilding the timeline projection beside the live one …');
    const rebuildStart = performance.now();
    await runtime.rebuild('timeline');
    await runtime.rebuildFinished('timeline');
    const rebuildSeconds = (performance.now() - rebuildStart) / 1000;
    const [timelineStatus] = await runtime.status('timeline');
    say(`  switched after ${fmt(rebuildSeconds, 1)} s (${rss()})`);

    rig.load = fork(join(__dirname, 'timeline-load.ts'), [], { execArgv: ['-r', '@swc-node/register'] });
    say(`first-page latency for ${BIG_CUSTOMER} (10,000 entries) …`);
    const pages = await runTask(rig.load, { kind: 'pages', url, supportKey, customerId: BIG_CUSTOMER, requests: 1050 });
    say(`emit-to-visible lag at ${fmt(RATE)} events/s for ${LAG_SECONDS} s …`);
    const lag = await runTask(rig.load, { kind: 'lag', url, emitterKey, supportKey, rate: RATE, seconds: LAG_SECONDS, batchSize: LAG_BATCH, customers: 500, followed: 50 });
    say(`  done (${rss()})`);

    const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    const rebuildRate = stored / rebuildSeconds;
    const rssMb = peakRss / 1024 / 1024;
    const rows: string[][] = [
      ['', 'measured', 'target', ''],
      ['events in the store', fmt(stored), '≥ 500,000', mark(stored >= 500_000)],
      ['timeline rebuild (beside the live one)', `${fmt(rebuildRate)} events/s  (${fmt(rebuildSeconds, 1)} s)`, '≥ 10,000 events/s', mark(rebuildRate >= TARGETS.rebuildPerSecond)],
      ['initial build, both projections at once', `${fmt((2 * stored) / initialSeconds)} events/s  (${fmt(initialSeconds, 1)} s)`, '(for comparison)', ''],
      [`emit-to-visible lag p50 / p99 @ ${fmt(lag.ratePerSecond ?? 0)}/s`, `${fmt(lag.p50, 1)} / ${fmt(lag.p99, 1)} ms`, 'p99 ≤ 250 ms', mark(lag.p99 <= TARGETS.lagP99Ms)],
      ['first page, 10,000 entries p50 / p99', `${fmt(pages.p50, 2)} / ${fmt(pages.p99, 2)} ms`, 'p99 ≤ 20 ms', mark(pages.p99 <= TARGETS.pageP99Ms)],
      ['peak RSS of the server process', `${fmt(rssMb)} MB`, '≤ 300 MB', mark(rssMb <= TARGETS.rssMb)],
    ];
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    const heapCap = getHeapStatistics().heap_size_limit / 1024 / 1024;
    console.log(`\nRapport timeline benchmark — embedded PostgreSQL (fsync on), ${cpus().length} CPUs, Node ${process.version}, V8 heap limit ${fmt(heapCap)} MB`);
    for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('   ').trimEnd());
    console.log(
      `\nlag: ${fmt(lag.count)} events measured (visible = pushed on the SSE stream after commit), ${lag.missing} never seen, ${lag.failures} failed POSTs, ` +
        `POST /v1/events/batch (${LAG_BATCH} events) p50 / p99 ${fmt(lag.postP50 ?? 0, 1)} / ${fmt(lag.postP99 ?? 0, 1)} ms; ` +
        `pages: ${fmt(pages.count)} requests, ${pages.failures} failures; timeline now at generation ${timelineStatus.generation}.`,
    );
  } finally {
    clearInterval(sampler);
    await rig.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
