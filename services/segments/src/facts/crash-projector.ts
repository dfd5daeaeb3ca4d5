import type { StoredEvent } from '@rapport/contracts';
import { createPostgresEventStore } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection } from '@rapport/projections';
import { Pool } from 'pg';
import { DEFAULT_SETTINGS } from '../config';
import { factsProjection } from './projection';

// Child process for crash.int.spec.ts: runs the facts projection and, in the middle of its Nth
// batch (rows written, transaction not committed), tells the parent how many orders its totals
// count inside that transaction, then waits to be killed.
async function main(): Promise<void> {
  const [databaseUrl, crashAtBatch] = process.argv.slice(2);
  const store = await createPostgresEventStore({ connectionString: databaseUrl, poolSize: 2 });
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const facts = factsProjection(DEFAULT_SETTINGS);
  let batches = 0;
  const crashing: Projection<StoredEvent> = {
    ...facts,
    async apply(context, events) {
      await facts.apply(context, events);
      if (++batches === Number(crashAtBatch)) {
        const [{ orders }] = await context.tx.query<{ orders: string }>(`SELECT coalesce(sum(orders), 0) AS orders FROM ${context.schema}.customers`);
        process.send?.({ orders: Number(orders) });
        await new Promise(() => undefined);
      }
    },
  };
  const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections: [crashing], source: storeSource(store, { batchSize: 50 }) });
  await runtime.start();
}

void main();
