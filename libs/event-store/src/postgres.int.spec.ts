import { createTestDatabase } from '@rapport/testing';
import { describeEventStoreContract } from './contract/event-store-contract';
import { createPostgresEventStore } from './postgres/postgres-event-store';

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
