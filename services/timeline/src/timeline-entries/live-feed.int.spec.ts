import { poolDatabase } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool, type PoolClient } from 'pg';
import { TimelineFeed } from './live-feed';
import { TIMELINE_CHANNEL } from './projection';
import type { EntryRow } from './queries';

describe('timeline live feed', () => {
  let database: TestDatabase;
  let admin: Pool;
  /** On the server's maintenance database: a database cannot refuse connections while one is altering it. */
  let server: Pool;
  let feedPool: Pool;
  let acquired: PoolClient[];
  let warnings: string[];
  let feed: TimelineFeed;

  beforeAll(async () => {
    database = await createTestDatabase('timeline_feed');
    admin = new Pool({ connectionString: database.url, max: 1 });
    const url = new URL(database.url);
    url.pathname = '/postgres';
    server = new Pool({ connectionString: url.toString(), max: 1 });
  });

  afterAll(async () => {
    await admin.end();
    await server.end();
    await database.drop();
  });

  beforeEach(() => {
    // A pool of its own, so that the feed needs a fresh connection once its one is gone.
    feedPool = new Pool({ connectionString: database.url, max: 1 });
    acquired = [];
    feedPool.on('acquire', (client) => acquired.push(client));
    warnings = [];
    feed = new TimelineFeed(poolDatabase(feedPool), { warn: (_fields, message) => warnings.push(message) });
  });

  afterEach(async () => {
    await server.query(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS true`);
    await feed.close();
    await feedPool.end();
  });

  const eventually = async (check: () => Promise<boolean> | boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** Notifies until the subscriber hears it: the feed may still be reconnecting. */
  const heard = async (received: EntryRow[]): Promise<void> =>
    eventually(async () => {
      await admin.query('SELECT pg_notify($1, $2)', [TIMELINE_CHANNEL, JSON.stringify({ customer_id: 'c-1', entry_id: 'e-1' })]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return received.length > 0;
    }, 'the subscriber heard a notification');

  it('keeps reconnecting after a lost connection until the database takes connections again', async () => {
    const received: EntryRow[] = [];
    await feed.subscribe('c-1', (row) => received.push(row), () => undefined);

    await server.query(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS false`);
    const { rows } = await server.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`,
      [database.name],
    );
    expect(rows).toEqual([{ terminated: true }]);
    await eventually(() => warnings.filter((message) => message.includes('could not reconnect')).length >= 2, 'two reconnects failed');

    await server.query(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS true`);
    await heard(received);
    expect(received[0]).toMatchObject({ customer_id: 'c-1', entry_id: 'e-1' });
  });

  it('reconnects when the connection ends without an error', async () => {
    const received: EntryRow[] = [];
    await feed.subscribe('c-1', (row) => received.push(row), () => undefined);
    expect(acquired).toHaveLength(1);
    await acquired[0].end();

    await heard(received);
    expect(received[0]).toMatchObject({ customer_id: 'c-1' });
    expect(acquired).toHaveLength(2);
  });
});
