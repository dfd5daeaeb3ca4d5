import { toStoredEvent, type Envelope } from '@rapport/contracts';
import { createPostgresEventStore, type EventStore, type PostgresEventStore } from '@rapport/event-store';
import { encryptPersonalData, generateMasterKeys, Keyring } from '@rapport/personal-data';
import { poolDatabase, ProjectionRuntime, storeSource } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { identitiesProjection } from './projection';
import { readIdentity } from './queries';

let sequence = 0;
const fact = (type: string, customerId: string, data: Record<string, unknown>): Envelope<string, unknown> => ({
  id: `55000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`,
  type,
  version: 1,
  customerId,
  occurredAt: '2030-01-01T00:00:00Z',
  source: 'crm',
  data,
});

describe('identities after erasure', () => {
  let database: TestDatabase;
  let raw: PostgresEventStore;
  let pool: Pool;
  let keyring: Keyring;
  let store: EventStore;
  let runtime: ProjectionRuntime;

  const append = (...events: Envelope<string, unknown>[]) =>
    store.append(`customer-${events[0].customerId}`, events.map((event) => toStoredEvent(event, '2030-01-01T00:00:00Z')));
  const identifiers = async () =>
    (await pool.query<{ kind: string; value: string; customer_id: string }>('SELECT kind, value, customer_id FROM identities.identifiers ORDER BY customer_id, kind, value')).rows;

  beforeAll(async () => {
    database = await createTestDatabase('identities_erasure');
    raw = await createPostgresEventStore({ connectionString: database.url, poolSize: 2, pollIntervalMs: 10 });
    pool = new Pool({ connectionString: database.url, max: 3 });
    keyring = new Keyring(pool, generateMasterKeys());
    await keyring.migrate();
    // As the services read it: personal fields sealed at rest, markers once the key is destroyed.
    store = encryptPersonalData(raw, keyring);
    runtime = new ProjectionRuntime({ db: poolDatabase(pool), projections: [identitiesProjection], source: storeSource(store) });
    await runtime.start();
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await raw?.close();
    await pool?.end();
    await database?.drop();
  });

  it('drops the erased customer’s emails and phones with the CustomerErased, keeps its visitor and every other customer', async () => {
    await append(
      fact('CustomerRegistered', 'c-gone', { email: 'Gone@Example.com', phone: '+447700900111', previousAnonymousId: 'anon-gone' }),
      fact('CustomerIdentified', 'c-gone', { email: 'gone@work.example', phone: '+447700900112', via: 'login' }),
    );
    await append(fact('CustomerRegistered', 'c-kept', { email: 'kept@example.com', phone: '+447700900113' }));
    await runtime.settled();
    expect(await identifiers()).toEqual([
      { kind: 'anonymous', value: 'anon-gone', customer_id: 'c-gone' },
      { kind: 'email', value: 'gone@example.com', customer_id: 'c-gone' },
      { kind: 'email', value: 'gone@work.example', customer_id: 'c-gone' },
      { kind: 'phone', value: '+447700900111', customer_id: 'c-gone' },
      { kind: 'phone', value: '+447700900112', customer_id: 'c-gone' },
      { kind: 'email', value: 'kept@example.com', customer_id: 'c-kept' },
      { kind: 'phone', value: '+447700900113', customer_id: 'c-kept' },
    ]);

    // What the erasure API does: the decision, then the key's destruction.
    await append(fact('CustomerErased', 'c-gone', { reason: 'asked' }));
    await keyring.destroy('c-gone');
    await runtime.settled();

    expect(await identifiers()).toEqual([
      { kind: 'anonymous', value: 'anon-gone', customer_id: 'c-gone' },
      { kind: 'email', value: 'kept@example.com', customer_id: 'c-kept' },
      { kind: 'phone', value: '+447700900113', customer_id: 'c-kept' },
    ]);
    expect(await readIdentity(poolDatabase(pool), 'c-gone')).toMatchObject({ anonymousIds: ['anon-gone'], emails: [], phones: [] });
  });

  it('a replay from the first event, and the erased customer’s later events, bring none of them back', async () => {
    // Stored as markers, since the key is gone: no identifier either.
    await append(fact('CustomerProfileUpdated', 'c-gone', { email: 'gone.again@example.com', phone: '+447700900114' }));
    await runtime.settled();
    await runtime.rebuild('identities');
    await runtime.rebuildFinished('identities');
    await runtime.settled();
    expect((await runtime.status())[0]).toMatchObject({ name: 'identities', generation: 2, state: 'running', rebuild: null });

    expect(await identifiers()).toEqual([
      { kind: 'anonymous', value: 'anon-gone', customer_id: 'c-gone' },
      { kind: 'email', value: 'kept@example.com', customer_id: 'c-kept' },
      { kind: 'phone', value: '+447700900113', customer_id: 'c-kept' },
    ]);
    const report = await runtime.verify('identities');
    expect({ differences: report.differences, equal: report.equal }).toEqual({ differences: [], equal: true });
    // Nor in the rebuilt table (the first generation is dropped at the switch), nor in the store itself.
    for (const value of ['gone@example.com', 'Gone@Example.com', 'gone@work.example', '+447700900111', '+447700900112', 'gone.again@example.com']) {
      const { rows } = await pool.query(
        `SELECT 'g2' FROM identities_g2.identifiers x WHERE strpos(x::text, $1) > 0
          UNION ALL SELECT 'store' FROM ${raw.eventsTable} x WHERE strpos(x::text, $1) > 0`,
        [value],
      );
      expect({ value, rows }).toEqual({ value, rows: [] });
    }
  });
});
