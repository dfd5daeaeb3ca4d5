import { z } from 'zod';
import { ConfigError, env, loadConfig, loadConfigs, type Env } from '@rapport/platform';
import { createEventStoreDbStore, createPostgresEventStore, type EventStore } from '@rapport/event-store';
import { loadBusConfig, type BusConfig } from './bus-config';

/** Which event store holds the truth. PostgreSQL is the one `DATABASE_URL` points at. */
export type StoreSelection = { readonly kind: 'postgres' } | { readonly kind: 'eventstoredb'; readonly url: string };

/** The two switches between embedded and scaled deployments, read together at boot. */
export interface Modes {
  readonly store: StoreSelection;
  readonly bus: BusConfig;
}

const storeEnv = z.object({
  RAPPORT_EVENT_STORE: z.enum(['postgres', 'eventstoredb'], { error: 'expected postgres or eventstoredb' }).default('postgres'),
  EVENTSTORE_URL: env.url(['esdb', 'esdb+discover']).optional(),
});

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

/**
 * Reads both switches and reports every problem of both at once, so an operator fixes
 * the environment in one go. Loads neither kafkajs nor a store client.
 */
export function loadModes(source: Env = process.env): Modes {
  return Object.freeze(
    loadConfigs({ store: () => loadStoreSelection(source), bus: () => loadBusConfig(source) }, 'the deployment mode (RAPPORT_EVENT_STORE, RAPPORT_BUS)'),
  );
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
    case 'eventstoredb':
      return createEventStoreDbStore({ connectionString: selection.url });
    default: {
      const unknown: never = selection;
      throw new Error(`unknown event store ${JSON.stringify(unknown)}`);
    }
  }
}
