import type { StoredEvent, StoredLoyaltyEvent, StoredSegmentEvent } from '@rapport/contracts';
import { createPostgresEventStore } from '@rapport/event-store';
import { poolDatabase, ProjectionRuntime, storeSource, type Projection } from '@rapport/projections';
import { Pool } from 'pg';
import { TIMELINE_PROJECTIONS } from '../timeline';

// Child process for crash.int.spec.ts: runs the timeline's projectors and, in the middle
// of each one's Nth batch (rows written, transaction not committed), tells the parent how
// many events its rows account for and waits to be killed.
const WRITTEN: Record<string, string> = {
  timeline: '(SELECT count(*) FROM %s.entries)',
  // A counted aggregate: an event applied twice would count twice.
  'customer-profiles': '(SELECT coalesce(sum(event_count), 0) FROM %s.profiles) + (SELECT coalesce(sum(event_count), 0) FROM %s.visitors)',
};

async function main(): Promise<void> {
  const [databaseUrl, crashAtBatch] = process.argv.slice(2);
  const store = await createPostgresEventStore({ connectionString: databaseUrl, poolSize: 2 });
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const projections = TIMELINE_PROJECTIONS.map((projection): Projection<StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent> => {
    let batches = 0;
    return {
      ...projection,
      async apply(context, events) {
        await (projection as Projection<StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent>).apply(context, events);
        if (++batches === Number(crashAtBatch)) {
          const [{ count }] = await context.tx.query<{ count: string }>(`SELECT ${WRITTEN[projection.name].replaceAll('%s', context.schema)} AS count`);
          process.send?.({ projection: projection.name, written: Number(count) });
          await new Promise(() => undefined);
        }
      },
    };
  });
  const runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections, source: storeSource(store, { batchSize: 50 }) });
  await runtime.start();
}

void main();
