import type { StoredEvent } from '@rapport/contracts';
import { createPostgresEventStore } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection } from '@rapport/projections';
import { Pool } from 'pg';
import { TIMELINE_PROJECTIONS } from '../timeline';

// Child process for crash.int.spec.ts: runs the timeline's projectors and, in the middle
// of the timeline's Nth batch (rows written, transaction not committed), tells the parent
// and waits to be killed.
async function main(): Promise<void> {
  const [databaseUrl, crashAtBatch] = process.argv.slice(2);
  const store = await createPostgresEventStore({ connectionString: databaseUrl, poolSize: 2 });
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  let batches = 0;
  const projections = TIMELINE_PROJECTIONS.map((projection): Projection<StoredEvent> => {
    if (projection.name !== 'timeline') return projection;
    return {
      ...projection,
      async apply(context, events) {
        await projection.apply(context, events);
        if (++batches === Number(crashAtBatch)) {
          const [{ count }] = await context.tx.query<{ count: string }>(`SELECT count(*) FROM ${context.schema}.entries`);
          process.send?.({ written: Number(count) });
          await new Promise(() => undefined);
        }
      },
    };
  });
  const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections, source: storeSource(store, { batchSize: 50 }) });
  await runtime.start();
}

void main();
