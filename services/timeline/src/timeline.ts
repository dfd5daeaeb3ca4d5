import type { EventStore } from '@rapport/event-store';
import {
  CreateProjectionRuntime1763900000000,
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
import { customerProfilesProjection } from './customer-profiles/projection';
import { identitiesProjection } from './identities/projection';
import type { CallerCredentials } from './customer-profiles/cases-over-http';
import type { ProfileSummary } from './customer-profiles/queries';
import { TimelineFeed } from './timeline-entries/live-feed';
import { timelineProjection } from './timeline-entries/projection';

/** The projections this service owns; each is rebuilt, verified and monitored by name. */
export const TIMELINE_PROJECTIONS = [timelineProjection, customerProfilesProjection, identitiesProjection] as const;

export interface TimelineOptions {
  /** The event store: the raw event behind an entry is read from it, and by default the projections follow it. */
  readonly store: EventStore;
  /** Where the read models live. Give one of: a TypeORM DataSource, a pg pool, or a URL (a DataSource is then created and owned). */
  readonly dataSource?: DataSource;
  readonly pool?: Pool;
  readonly databaseUrl?: string;
  /** Feeds the live projections; the store's subscription unless given (a Kafka source when scaled). */
  readonly source?: EventSource;
  /** Events per batch (one transaction each) when following the store. */
  readonly batchSize?: number;
  /** False for an API-only replica: queries and the live stream work, projectors run elsewhere. */
  readonly runProjections?: boolean;
  readonly logger?: RunnerLogger;
  /** Where the profile's open complaints and pending callbacks come from; the profile's own rows when left out. */
  readonly customerCases?: CustomerCasesReader;
}

export type CustomerCases = Pick<ProfileSummary, 'openComplaints' | 'pendingCallbacks'>;

/**
 * Reads a customer's open complaints and pending callbacks from the cases service's read
 * model (the one truth about them), for `members`: the customer and those merged into it
 * (identities' mergeGroup, the customer first). The embedded process, which mounts both services on one
 * database, passes the cases service's query; the scaled timeline asks the cases service over
 * HTTP with the caller's credentials (`casesOverHttp`). `undefined`: not available now.
 */
export type CustomerCasesReader = (db: Sql, members: readonly string[], caller: CallerCredentials) => Promise<CustomerCases | undefined>;

/** Injection token of the running Timeline in the Nest module. */
export const TIMELINE = Symbol('Timeline');

/** A running timeline service without HTTP: what the Nest module, the CLI and the benchmark share. */
export interface Timeline {
  readonly db: Database;
  readonly store: EventStore;
  readonly feed: TimelineFeed;
  /** Undefined when `runProjections` is false. */
  readonly projections: ProjectionRuntime | undefined;
  readonly customerCases?: CustomerCasesReader;
  stop(): Promise<void>;
}

/** A DataSource for the timeline's database, with the migrations of the tables it owns outright. */
export function createTimelineDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    poolSize,
    migrations: [CreateProjectionRuntime1763900000000],
    migrationsTableName: 'timeline_migrations',
  });
}

export async function startTimeline(options: TimelineOptions): Promise<Timeline> {
  const { db, owned } = await openReadModelDatabase(options, createTimelineDataSource, 'the timeline');

  const feed = new TimelineFeed(db, options.logger);
  let projections: ProjectionRuntime | undefined;
  try {
    if (options.runProjections !== false) {
      const replay = storeSource(options.store, { batchSize: options.batchSize });
      projections = new ProjectionRuntime({ db, projections: TIMELINE_PROJECTIONS, source: options.source ?? replay, replaySource: replay, logger: options.logger });
      await projections.start();
    }
  } catch (error) {
    await owned?.destroy();
    throw error;
  }
  return {
    db,
    store: options.store,
    feed,
    projections,
    customerCases: options.customerCases,
    async stop() {
      await feed.close();
      await projections?.stop();
      await owned?.destroy();
    },
  };
}
