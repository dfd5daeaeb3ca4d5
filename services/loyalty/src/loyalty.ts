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
import { systemClock, type Clock } from './account/account-store';
import { loyaltyProcessorProjection, PROCESSOR_NAME } from './processor/projection';
import { LoyaltyScheduler } from './processor/scheduler';
import { loyaltyMergesProjection } from './merges/projection';
import { loyaltyReadModelProjection } from './read-model/projection';
import { loadRules, type RuleBook } from './rules/rules';

export interface LoyaltyOptions {
  readonly store: EventStore;
  /** Give one of: a TypeORM DataSource, a pg pool, or a URL (a DataSource is then created and owned). */
  readonly dataSource?: DataSource;
  readonly pool?: Pool;
  readonly databaseUrl?: string;
  /** The rules in force; the shipped defaults unless given. */
  readonly rules?: RuleBook;
  readonly clock?: Clock;
  readonly source?: EventSource;
  readonly batchSize?: number;
  readonly runProjections?: boolean;
  /** How often the scheduler looks for due changes; 0 turns it off (tests call `scheduler.runDue`). */
  readonly schedulerIntervalMs?: number;
  readonly logger?: RunnerLogger;
}

export const LOYALTY = Symbol('Loyalty');

/** A running loyalty service without HTTP: what the Nest module, the CLI and the benchmark share. */
export interface Loyalty {
  readonly db: Database;
  readonly store: EventStore;
  readonly rules: RuleBook;
  readonly clock: Clock;
  readonly projections: ProjectionRuntime | undefined;
  readonly scheduler: LoyaltyScheduler;
  stop(): Promise<void>;
}

export function loyaltyProjections(options: { store: EventStore; rules: RuleBook; clock: Clock }) {
  return [loyaltyProcessorProjection(options), loyaltyReadModelProjection, loyaltyMergesProjection] as const;
}

export function createLoyaltyDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({ type: 'postgres', url, poolSize, migrations: [CreateProjectionRuntime1763900000000], migrationsTableName: 'loyalty_migrations' });
}

export async function startLoyalty(options: LoyaltyOptions): Promise<Loyalty> {
  const rules = options.rules ?? loadRules();
  const clock = options.clock ?? systemClock;
  const { db, owned } = await openReadModelDatabase(options, createLoyaltyDataSource, 'loyalty');

  let projections: ProjectionRuntime | undefined;
  try {
    if (options.runProjections !== false) {
      const replay = storeSource(options.store, { batchSize: options.batchSize });
      projections = new ProjectionRuntime({
        db,
        projections: loyaltyProjections({ store: options.store, rules, clock }),
        source: options.source ?? replay,
        replaySource: replay,
        logger: options.logger,
      });
      await projections.start();
    }
  } catch (error) {
    await owned?.destroy();
    throw error;
  }
  const scheduler = new LoyaltyScheduler({ db, store: options.store, rules, clock });
  // Only once every fact so far is answered: a due instant must come after the facts before it.
  const job = projections && everyWhenCaughtUp(projections, PROCESSOR_NAME, options.schedulerIntervalMs ?? 60_000, 'loyalty scheduler run', () => scheduler.runDue(), options.logger);
  return {
    db,
    store: options.store,
    rules,
    clock,
    projections,
    scheduler,
    async stop() {
      await job?.stop();
      await projections?.stop();
      await owned?.destroy();
    },
  };
}
