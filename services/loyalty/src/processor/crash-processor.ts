import type { StoredEvent } from '@rapport/contracts';
import { createPostgresEventStore } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection } from '@rapport/projections';
import { Pool } from 'pg';
import { defaultRuleBook } from '../rules/rules';
import { loyaltyProcessorProjection } from './projection';

// Child process for crash.int.spec.ts: runs the loyalty processor and, in its Nth batch,
// after the loyalty events were appended to the store but before the batch's bookkeeping
// and checkpoint committed, tells the parent how many loyalty events the store holds and
// waits to be killed.
async function main(): Promise<void> {
  const [databaseUrl, crashAtBatch] = process.argv.slice(2);
  const store = await createPostgresEventStore({ connectionString: databaseUrl, poolSize: 2 });
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const processor = loyaltyProcessorProjection({ store, rules: defaultRuleBook(), clock: { now: () => new Date('2030-01-01T00:00:00Z') } });
  let batches = 0;
  const crashing: Projection<StoredEvent> = {
    ...processor,
    async apply(context, events) {
      await processor.apply(context, events);
      if (++batches === Number(crashAtBatch)) {
        const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM rapport_events.events WHERE stream_id LIKE 'loyalty-%'`);
        process.send?.({ appended: Number(rows[0].count) });
        await new Promise(() => undefined);
      }
    },
  };
  const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections: [crashing], source: storeSource(store, { batchSize: 50 }) });
  await runtime.start();
}

void main();
