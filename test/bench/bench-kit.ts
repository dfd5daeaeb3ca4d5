import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { streamIdFor, toStoredEvent, type Envelope, type Subject } from '@rapport/contracts';
import { RetailEventMapper, RetailMappingError, type RetailEvent } from '@rapport/cli/src/online-retail/mapping';
import { planInvoices, readInvoices } from '@rapport/cli/src/online-retail/reader';
import { createPostgresEventStore, type PostgresEventStore, type StreamAppend } from '@rapport/event-store';
import { startEmbeddedPostgres, type EmbeddedServer } from '@rapport/platform';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection } from '@rapport/projections';
import { Client, Pool } from 'pg';

// What the benchmarks share: output, a temporary database, the Online Retail seed, timing a
// projection over the store, and peak RSS.

export const ONLINE_RETAIL = process.env.BENCH_FILE ?? join(__dirname, '..', '..', '..', 'shared', 'data', 'online-retail.csv.gz');

export const say = (line: string) => process.stderr.write(`${line}\n`);
export const fmt = (value: number, digits = 0) => value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export interface BenchDatabase {
  readonly postgres: EmbeddedServer;
  readonly databaseUrl: string;
  readonly store: PostgresEventStore;
  readonly pool: Pool;
  stop(): Promise<void>;
}

/** A temporary embedded PostgreSQL (fsync on) with a `bench` database, its event store and a pool. */
export async function startBenchDatabase(options: { readonly poolMax?: number; readonly storePoolSize?: number } = {}): Promise<BenchDatabase> {
  say('starting a temporary PostgreSQL (fsync on) …');
  const postgres = await startEmbeddedPostgres();
  try {
    const admin = new Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const databaseUrl = postgres.adminUrl.replace(/\/postgres$/, '/bench');
    const store = await createPostgresEventStore({ connectionString: databaseUrl, poolSize: options.storePoolSize });
    const pool = new Pool({ connectionString: databaseUrl, max: options.poolMax ?? 4 });
    // Idle connections die when PostgreSQL stops at the end; that is not a failure of the run.
    for (const each of [store.pool, pool]) each.on('error', () => undefined);
    return {
      postgres,
      databaseUrl,
      store,
      pool,
      async stop() {
        await store.close().catch(() => undefined);
        await pool.end().catch(() => undefined);
        await postgres.stop();
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

/** Stores the Online Retail import straight into the store, 2,000 events an append. */
export async function seedOnlineRetail(store: PostgresEventStore, file = ONLINE_RETAIL): Promise<{ events: number; facts: number }> {
  say(`storing the Online Retail import (${file}) …`);
  const plan = await planInvoices(file);
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
  for await (const invoice of readInvoices(file, plan)) {
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

/** Seconds for `projections` to catch up with the whole store from zero. */
export async function timeProjections(pool: Pool, store: PostgresEventStore, projections: readonly Projection<any>[]): Promise<number> {
  const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections, source: storeSource(store, { batchSize: 1000 }) });
  const started = performance.now();
  await runtime.start();
  await runtime.settled(3_600_000);
  const seconds = (performance.now() - started) / 1000;
  await runtime.stop();
  return seconds;
}

/** Samples this process's RSS every 50 ms; `reset` starts a new peak from now. */
export function rssSampler(): { peak(): number; reset(): void; stop(): void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    peak: () => Math.max(peak, process.memoryUsage().rss),
    reset: () => (peak = process.memoryUsage().rss),
    stop: () => clearInterval(timer),
  };
}

export const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** Prints the figures in aligned columns under a heading that names the machine. */
export function printTable(name: string, rows: readonly (readonly string[])[]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  console.log(`\nRapport ${name} benchmark — embedded PostgreSQL (fsync on), ${cpus().length} CPUs, Node ${process.version}`);
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('   ').trimEnd());
}
