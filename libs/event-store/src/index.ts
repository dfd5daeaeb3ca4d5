export * from './event-store';
export { ConcurrencyError, InvalidAppendError } from './errors';
export { createPostgresEventStore, PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
