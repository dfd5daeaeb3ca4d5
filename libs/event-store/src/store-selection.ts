import { z } from 'zod';
import { ConfigError, env, loadConfig, type Env } from '@rapport/platform';
import type { EventStore } from './event-store';
import { createPostgresEventStore } from './postgres/postgres-event-store';

/** Which event store holds the truth. PostgreSQL is the one `DATABASE_URL` points at. */
export type StoreSelection = { readonly kind: 'postgres' } | { readonly kind: 'eventstoredb'; readonly url: string };

const storeEnv = z.object({
  RAPPORT_EVENT_STORE: z.enum(['postgres', 'eventstoredb'], { error: 'expected postgres or eventstoredb' }).default('postgres'),
  EVENTSTORE_URL: env.url(['esdb', 'esdb+discover']).optional(),
});

/** Reads `RAPPORT_EVENT_STORE` and `EVENTSTORE_URL`; throws a ConfigError naming the variable. Loads no store client. */
export function loadStoreSelection(source: Env = process.env): StoreSelection {
  const raw = loadConfig(storeEnv, source, 'the event store (RAPPORT_EVENT_STORE)');
  if (raw.RAPPORT_EVENT_STORE === 'postgres') {
    if (raw.EVENTSTORE_URL !== undefined) {
      throw new ConfigError(
        [{ variable: 'EVENTSTORE_URL', message: 'is set but RAPPORT_EVENT_STORE is postgres: set RAPPORT_EVENT_STORE=eventstoredb, or unset it' }],
        'the event store (RAPPORT_EVENT_STORE)',
      );
    }
    return Object.freeze({ kind: 'postgres' });
  }
  if (raw.EVENTSTORE_URL === undefined) {
    throw new ConfigError(
      [{ variable: 'EVENTSTORE_URL', message: 'required when RAPPORT_EVENT_STORE=eventstoredb, e.g. esdb://kurrentdb:2113?tls=false' }],
      'the event store (RAPPORT_EVENT_STORE)',
    );
  }
  return Object.freeze({ kind: 'eventstoredb', url: raw.EVENTSTORE_URL });
}

export interface PostgresStoreOptions {
  readonly connectionString: string;
  readonly schema?: string;
  readonly poolSize?: number;
}

/** Opens the selected store; PostgreSQL options are ignored when EventStoreDB is selected. */
export async function openEventStore(selection: StoreSelection, postgres: PostgresStoreOptions): Promise<EventStore> {
  switch (selection.kind) {
    case 'postgres':
      return createPostgresEventStore(postgres);
    case 'eventstoredb': {
      // Loaded on demand so the PostgreSQL mode never pulls in the gRPC client.
      const { createEventStoreDbStore } = await import('./eventstoredb/eventstoredb-store');
      return createEventStoreDbStore({ connectionString: selection.url });
    }
    default: {
      const unknown: never = selection;
      throw new Error(`unknown event store ${JSON.stringify(unknown)}`);
    }
  }
}
