import type { EventStore } from '@rapport/event-store';
import type { Keyring } from '@rapport/personal-data';
import {
  CreateProjectionRuntime1763900000000,
  openReadModelDatabase,
  ProjectionRuntime,
  storeSource,
  type Database,
  type EventSource,
  type RunnerLogger,
} from '@rapport/projections';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AccessAudit } from './audit/access-audit';
import { consentsProjection } from './consents/projection';

export interface PrivacyOptions {
  readonly store: EventStore;
  /** Give one of: a TypeORM DataSource, a pg pool, or a URL (a DataSource is then created and owned). */
  readonly dataSource?: DataSource;
  readonly pool?: Pool;
  readonly databaseUrl?: string;
  readonly source?: EventSource;
  readonly batchSize?: number;
  readonly logger?: RunnerLogger;
  /** The clock consent checks judge `now` by. */
  readonly now?: () => Date;
  /** The data keys; without them nothing is encrypted, so nobody can be erased. */
  readonly keyring?: Keyring;
}

export const PRIVACY = Symbol('Privacy');

/** A running privacy service without HTTP: what the Nest module and the tests share. */
export interface Privacy {
  readonly db: Database;
  readonly store: EventStore;
  readonly projections: ProjectionRuntime;
  readonly audit: AccessAudit;
  readonly now: () => Date;
  readonly keyring?: Keyring;
  /** When the customer was erased (its key destroyed), or null. */
  erasedAt(customerId: string): Promise<string | null>;
  stop(): Promise<void>;
}

export function createPrivacyDataSource(url: string, poolSize = 6): DataSource {
  return new DataSource({ type: 'postgres', url, poolSize, migrations: [CreateProjectionRuntime1763900000000], migrationsTableName: 'privacy_migrations' });
}

export async function startPrivacy(options: PrivacyOptions): Promise<Privacy> {
  const { db, owned } = await openReadModelDatabase(options, createPrivacyDataSource, 'privacy');
  let projections: ProjectionRuntime;
  const audit = new AccessAudit(db);
  try {
    await audit.migrate();
    const replay = storeSource(options.store, { batchSize: options.batchSize });
    projections = new ProjectionRuntime({ db, projections: [consentsProjection], source: options.source ?? replay, replaySource: replay, logger: options.logger });
    await projections.start();
  } catch (error) {
    await owned?.destroy();
    throw error;
  }
  return {
    db,
    store: options.store,
    projections,
    audit,
    now: options.now ?? (() => new Date()),
    keyring: options.keyring,
    erasedAt: async (customerId) => (options.keyring ? options.keyring.destroyedAt(customerId) : null),
    async stop() {
      await projections.stop();
      await owned?.destroy();
    },
  };
}
