import { fork } from 'node:child_process';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection, type ProjectionContext } from '@rapport/projections';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from './test-database';

// Crash tests: a child process runs projections over the store and, in each one's Nth batch
// (rows written, transaction not committed), reports what it measures inside that
// transaction and waits; the test kills it with SIGKILL, restarts the projections and
// compares counted aggregates, so an event applied twice would show.

/** Batches of this many events, so a test knows what the first N batches hold. */
export const CRASH_BATCH_SIZE = 50;

export interface CrashReport {
  readonly projection: string;
  readonly [measure: string]: unknown;
}

/**
 * The child's side, called from its script with its argv (`databaseUrl`, `atBatch`): builds
 * the projections, runs them, and in each one's `atBatch`-th batch sends the parent
 * `{ projection, ...measure(...) }` and waits to be killed.
 */
export async function runUntilKilled(
  projectionsOf: (store: PostgresEventStore) => readonly Projection<any>[],
  measure: (context: ProjectionContext, pool: Pool, projection: string) => Promise<Record<string, unknown>>,
): Promise<void> {
  const [databaseUrl, atBatch] = process.argv.slice(2);
  const store = await createPostgresEventStore({ connectionString: databaseUrl, poolSize: 2 });
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const crashing = projectionsOf(store).map((projection): Projection<any> => {
    let batches = 0;
    return {
      ...projection,
      async apply(context, events) {
        await projection.apply(context, events);
        if (++batches === Number(atBatch)) {
          process.send?.({ projection: projection.name, ...(await measure(context, pool, projection.name)) });
          await new Promise(() => undefined);
        }
      },
    };
  });
  const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections: crashing, source: storeSource(store, { batchSize: CRASH_BATCH_SIZE }) });
  await runtime.start();
}

/**
 * The test's side: forks `script` (TypeScript) on the database, waits until `projections`
 * reports arrived from inside their `atBatch`-th batches, kills the child with SIGKILL and
 * returns the reports by projection name.
 */
export async function killAtCrashPoint(script: string, databaseUrl: string, atBatch: number, projections = 1): Promise<Record<string, CrashReport>> {
  const child = fork(script, [databaseUrl, String(atBatch)], { execArgv: ['-r', '@swc-node/register'], stdio: 'inherit' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    return await new Promise<Record<string, CrashReport>>((resolve, reject) => {
      const reports: Record<string, CrashReport> = {};
      child.on('message', (message) => {
        const report = message as CrashReport;
        reports[report.projection] = report;
        if (Object.keys(reports).length === projections) resolve(reports);
      });
      child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before reaching the crash point`)));
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

export interface CrashTestbed {
  readonly database: TestDatabase;
  readonly store: PostgresEventStore;
  readonly pool: Pool;
  /** Runs `projections` from their checkpoints (as a restarted process would) until they have caught up. */
  catchUp(projections: readonly Projection<any>[]): Promise<void>;
  close(): Promise<void>;
}

/** The test's database, store and pool for a crash test, with the restart the test makes after the kill. */
export async function openCrashTestbed(prefix: string): Promise<CrashTestbed> {
  const database = await createTestDatabase(prefix);
  const store = await createPostgresEventStore({ connectionString: database.url, poolSize: 2 });
  const pool = new Pool({ connectionString: database.url, max: 4 });
  return {
    database,
    store,
    pool,
    async catchUp(projections) {
      const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections, source: storeSource(store, { batchSize: CRASH_BATCH_SIZE }) });
      await runtime.start();
      await runtime.settled();
      await runtime.stop();
    },
    async close() {
      await store.close();
      await pool.end();
      await database.drop();
    },
  };
}
