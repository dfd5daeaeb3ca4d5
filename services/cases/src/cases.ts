import type { EventStore } from '@rapport/event-store';
import {
  CreateProjectionRuntime1763900000000,
  everyWhenCaughtUp,
  openReadModelDatabase,
  ProjectionRuntime,
  storeSource,
  type Database,
  type EventSource,
  type RunnerLogger,
} from '@rapport/projections';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { Clock } from './commands/run-case-command';
import { casesProjection, READ_MODEL_NAME } from './read-model/projection';
import { CasesScheduler } from './scheduler/scheduler';
import { defaultPolicy, type SlaPolicy } from './sla/policy';

export interface CasesOptions {
  readonly store: EventStore;
  /** Give one of: a TypeORM DataSource, a pg pool, or a URL (a DataSource is then created and owned). */
  readonly dataSource?: DataSource;
  readonly pool?: Pool;
  readonly databaseUrl?: string;
  /** The SLA policy in force; the shipped defaults unless given. */
  readonly policy?: SlaPolicy;
  readonly clock?: Clock;
  readonly source?: EventSource;
  readonly batchSize?: number;
  /** How often the scheduler decides breaches and feedback requests; 0 turns it off (tests call `scheduler.runDue`). */
  readonly schedulerIntervalMs?: number;
  /**
   * False for an API-only replica: queries and staff commands work on the model another
   * process builds; neither the projection nor the scheduler runs here (one scheduler decides breaches).
   */
  readonly runProjections?: boolean;
  readonly logger?: RunnerLogger;
}

export const CASES = Symbol('Cases');
export const systemClock: Clock = { now: () => new Date() };

/** A running cases service without HTTP: what the Nest module, the tests and the benchmark share. */
export interface Cases {
  readonly db: Database;
  readonly store: EventStore;
  readonly policy: SlaPolicy;
  readonly clock: Clock;
  readonly projections: ProjectionRuntime;
  readonly scheduler: CasesScheduler;
  stop(): Promise<void>;
}

/** What the HTTP API needs: the read model's database and the store commands append to. An API-only replica has only this. */
export type CasesReader = Pick<Cases, 'db' | 'store' | 'policy' | 'clock' | 'stop'>;

export function createCasesDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({ type: 'postgres', url, poolSize, migrations: [CreateProjectionRuntime1763900000000], migrationsTableName: 'cases_migrations' });
}

/** The API side alone, for a replica whose read model another process builds (`runProjections: false`). */
export async function openCasesReader(options: CasesOptions): Promise<CasesReader> {
  const { db, owned } = await openReadModelDatabase(options, createCasesDataSource, 'cases');
  return { db, store: options.store, policy: options.policy ?? defaultPolicy(), clock: options.clock ?? systemClock, stop: async () => void (await owned?.destroy()) };
}

/** The read model, its projection and the scheduler, all in this process. */
export async function startCases(options: CasesOptions): Promise<Cases> {
  const policy = options.policy ?? defaultPolicy();
  const clock = options.clock ?? systemClock;
  const { db, owned } = await openReadModelDatabase(options, createCasesDataSource, 'cases');
  let projections: ProjectionRuntime;
  try {
    const replay = storeSource(options.store, { batchSize: options.batchSize });
    projections = new ProjectionRuntime({ db, projections: [casesProjection(policy)], source: options.source ?? replay, replaySource: replay, logger: options.logger });
    await projections.start();
  } catch (error) {
    await owned?.destroy();
    throw error;
  }
  const scheduler = new CasesScheduler({ db, store: options.store, clock });
  // Only once every fact so far is in the model: a breach must not beat the answer that prevents it.
  const job = everyWhenCaughtUp(projections, READ_MODEL_NAME, options.schedulerIntervalMs ?? 30_000, 'cases scheduler run', () => scheduler.runDue(), options.logger);
  return {
    db,
    store: options.store,
    policy,
    clock,
    projections,
    scheduler,
    async stop() {
      await job.stop();
      await projections.stop();
      await owned?.destroy();
    },
  };
}
