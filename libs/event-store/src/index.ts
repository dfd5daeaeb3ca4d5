export * from './event-store';
export { ConcurrencyError, InvalidAppendError } from './errors';
export { createPostgresEventStore, PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
export type { EventStoreDbStoreOptions } from './eventstoredb/eventstoredb-store';
export { loadStoreSelection, openEventStore, type PostgresStoreOptions, type StoreSelection } from './store-selection';

/** Loaded on demand so the embedded mode never pulls in the gRPC client. */
export async function createEventStoreDbStore(
  options: import('./eventstoredb/eventstoredb-store').EventStoreDbStoreOptions,
): Promise<import('./event-store').EventStore> {
  const { createEventStoreDbStore: create } = await import('./eventstoredb/eventstoredb-store');
  return create(options);
}
