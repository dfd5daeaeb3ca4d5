import { ConfigError } from './config';
import type { ReadinessCheck } from './nest/operations.controller';

/** The readiness of a service that needs its event store and its PostgreSQL. */
export function storeAndPostgresReadiness(store: { headPosition(): Promise<unknown> }, pool: { query(sql: string): Promise<unknown> }): ReadinessCheck[] {
  return [
    { name: 'event-store', check: async () => void (await store.headPosition()) },
    { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
  ];
}

/** Runs a service's entry point: a configuration error prints its message alone, anything else its stack; both exit 1. */
export function runServiceMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(error);
    process.exit(1);
  });
}
