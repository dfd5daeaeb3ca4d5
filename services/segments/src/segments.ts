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
  type Sql,
} from '@rapport/projections';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { appendSegmentChanges, type ChangeReport } from './changes/segment-changes';
import { DEFAULT_SETTINGS, type SegmentSettings } from './config';
import { factsProjection, FACTS_PROJECTION } from './facts/projection';
import { recomputeSnapshot, type SnapshotSummary } from './snapshot/recompute';
import { CreateSegmentSnapshots1764800000000, migrateSnapshots } from './snapshot/schema';

export interface SegmentsOptions {
  readonly store: EventStore;
  /** Give one of: a TypeORM DataSource, a pg pool, or a URL (a DataSource is then created and owned). */
  readonly dataSource?: DataSource;
  readonly pool?: Pool;
  readonly databaseUrl?: string;
  readonly settings?: SegmentSettings;
  readonly now?: () => Date;
  readonly source?: EventSource;
  readonly batchSize?: number;
  /** How often a full recompute as of now runs; 0 (the default here) turns it off. */
  readonly recomputeIntervalMs?: number;
  readonly logger?: RunnerLogger;
  /** Who may be contacted for a purpose on a channel at an instant; given, CSV exports for that purpose leave the others out. */
  readonly consentCheck?: ConsentCheck;
}

/** Answers, per customer id, whether the customer consented to `purpose` on `channel` at `at`. */
export type ConsentCheck = (db: Sql, purpose: string, channel: string, customerIds: readonly string[], at: string) => Promise<Map<string, boolean>>;

export const SEGMENTS = Symbol('Segments');

export interface Recomputed extends SnapshotSummary {
  readonly changes: ChangeReport;
}

/** A running segments service without HTTP: what the Nest module, the CLI and the benchmark share. */
export interface Segments {
  readonly db: Database;
  readonly store: EventStore;
  readonly settings: SegmentSettings;
  readonly now: () => Date;
  readonly projections: ProjectionRuntime;
  readonly consentCheck?: ConsentCheck;
  /** Full recompute as of an instant: a snapshot, then the segment changes against the one before. */
  recompute(asOf: string): Promise<Recomputed>;
  stop(): Promise<void>;
}

export function createSegmentsDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    poolSize,
    migrations: [CreateProjectionRuntime1763900000000, CreateSegmentSnapshots1764800000000],
    migrationsTableName: 'segments_migrations',
  });
}

export async function startSegments(options: SegmentsOptions): Promise<Segments> {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const now = options.now ?? (() => new Date());
  const { db, owned } = await openReadModelDatabase(options, createSegmentsDataSource, 'segments');
  let projections: ProjectionRuntime;
  try {
    await migrateSnapshots(db);
    const replay = storeSource(options.store, { batchSize: options.batchSize });
    projections = new ProjectionRuntime({
      db,
      projections: [factsProjection(settings)],
      source: options.source ?? replay,
      replaySource: replay,
      logger: options.logger,
    });
    await projections.start();
  } catch (error) {
    await owned?.destroy();
    throw error;
  }
  const recompute = async (asOf: string): Promise<Recomputed> => {
    const snapshot = await recomputeSnapshot(db, settings, asOf, now);
    const changes = await appendSegmentChanges(db, options.store, snapshot.asOf, now);
    return { ...snapshot, changes };
  };
  const job = everyWhenCaughtUp(projections, FACTS_PROJECTION, options.recomputeIntervalMs ?? 0, 'scheduled segments recompute', () => recompute(now().toISOString()), options.logger);
  return {
    db,
    store: options.store,
    settings,
    now,
    projections,
    consentCheck: options.consentCheck,
    recompute,
    async stop() {
      await job.stop();
      await projections.stop();
      await owned?.destroy();
    },
  };
}
