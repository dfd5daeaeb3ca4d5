import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { describeEventStoreContract, someEvents } from './contract/event-store-contract';
import { createPostgresEventStore, type PostgresEventStore } from './postgres/postgres-event-store';

describeEventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase('event_store');
  const store = await createPostgresEventStore({ connectionString: database.url, poolSize: 25 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
});

describe('PostgreSQL event store: content hashes', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('event_store_hash');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4 });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('reports an id already stored in another stream as a duplicate with different content', async () => {
    const [event] = someEvents(1);
    const first = await store.append('hash-a', [{ ...event, contentHash: 'h' }]);
    const [again] = (await store.append('hash-b', [{ ...event, contentHash: 'h' }])).events;
    expect(again).toEqual({ ...first.events[0], duplicate: true, differentContent: true });
    expect(await store.readStream('hash-b')).toEqual([]);
  });

  it('upgrades a database of the previous release: old events keep no hash and count as the same content', async () => {
    const schema = 'rapport_events';
    const [legacy] = someEvents(1);
    // The previous release's state: no content_hash column, migration 2 not applied, the old function's result columns.
    await store.pool.query(`ALTER TABLE "${schema}".events DROP COLUMN content_hash`);
    await store.pool.query(`DELETE FROM "${schema}".schema_migrations WHERE version = 2`);
    await store.pool.query(`DROP FUNCTION "${schema}".append_events(text[], bigint[], int[], uuid[], text[], jsonb)`);
    await store.pool.query(`CREATE FUNCTION "${schema}".append_events(text[], bigint[], int[], uuid[], text[], jsonb)
      RETURNS TABLE (event_id uuid, stream_id text, revision bigint, "position" bigint, duplicate boolean)
      LANGUAGE sql AS $$ SELECT NULL::uuid, NULL::text, NULL::bigint, NULL::bigint, NULL::boolean WHERE false $$`);
    await store.pool.query(
      `INSERT INTO "${schema}".events (event_id, stream_id, revision, type, data, metadata) VALUES ($1, 'legacy', 0, 'Tested', '{}', '{}')`,
      [legacy.id],
    );

    const upgraded = await createPostgresEventStore({ connectionString: database.url, poolSize: 2 });
    try {
      const [resent] = (await upgraded.append('legacy', [{ ...legacy, contentHash: 'new' }])).events;
      expect([resent.revision, resent.duplicate, resent.differentContent]).toEqual([0, true, false]);
      const [fresh] = someEvents(1);
      await upgraded.append('legacy', [{ ...fresh, contentHash: 'one' }]);
      const [reused] = (await upgraded.append('legacy', [{ ...fresh, contentHash: 'two' }])).events;
      expect([reused.revision, reused.duplicate, reused.differentContent]).toEqual([1, true, true]);
    } finally {
      await upgraded.close();
    }
  });
});
