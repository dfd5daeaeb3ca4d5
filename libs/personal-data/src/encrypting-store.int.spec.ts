import { ERASED_MARKERS, toStoredEvent } from '@rapport/contracts';
import { createPostgresEventStore, type EventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { encryptPersonalData } from './encrypting-store';
import { Keyring, KEYS_SCHEMA } from './keyring';
import { generateMasterKeys, parseMasterKeys, formatMasterKeys } from './master-keys';

const registered = (n: number, customerId: string) =>
  toStoredEvent(
    { id: `53000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'CustomerRegistered', version: 1, customerId, occurredAt: '2030-01-01T00:00:00Z', source: 'shop', data: { email: `${customerId}@example.com`, phone: '+447700900123', firstName: 'Ada', country: 'GB' } },
    '2030-01-01T00:00:00Z',
  );

describe('personal data encrypted at rest', () => {
  let database: TestDatabase;
  let raw: PostgresEventStore;
  let pool: Pool;
  let keyring: Keyring;
  let store: EventStore;
  const master = generateMasterKeys('m1');

  beforeAll(async () => {
    database = await createTestDatabase('personal_data');
    raw = await createPostgresEventStore({ connectionString: database.url, poolSize: 3, pollIntervalMs: 10 });
    pool = new Pool({ connectionString: database.url, max: 3 });
    keyring = new Keyring(pool, master);
    await keyring.migrate();
    store = encryptPersonalData(raw, keyring);
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
    await pool?.end();
    await database?.drop();
  });

  it('stores ciphertext, reads plain text back, and other fields untouched', async () => {
    await store.append('customer-k1', [registered(1, 'k1')]);
    const [stored] = (await pool.query(`SELECT data::text AS data FROM ${raw.eventsTable} WHERE stream_id = 'customer-k1'`)).rows;
    expect(stored.data).not.toContain('k1@example.com');
    expect(stored.data).not.toContain('+447700900123');
    expect(stored.data).toContain('"country": "GB"');
    const [read] = await store.readStream('customer-k1');
    expect(read.data).toEqual({ email: 'k1@example.com', phone: '+447700900123', firstName: 'Ada', country: 'GB' });
  });

  it('rotation re-wraps the data keys under the new master key; history still reads, under the new key alone', async () => {
    const both = parseMasterKeys(`${formatMasterKeys(master)},${formatMasterKeys(generateMasterKeys('m2'))}`, 'm2');
    expect(await new Keyring(pool, both).rotate()).toBe(1);
    const onlyNew = new Keyring(pool, { currentId: 'm2', keys: new Map([['m2', both.keys.get('m2')!]]) });
    const [read] = await encryptPersonalData(raw, onlyNew).readStream('customer-k1');
    expect(read.data).toMatchObject({ email: 'k1@example.com' });
    expect((await pool.query(`SELECT master_key_id FROM ${KEYS_SCHEMA}.data_keys`)).rows).toEqual([{ master_key_id: 'm2' }]);
  });

  it('a destroyed key reads as the markers, and later events of that customer are stored as markers', async () => {
    await store.append('customer-k2', [registered(2, 'k2')]);
    await keyring.destroy('k2');
    const [read] = await store.readStream('customer-k2');
    expect(read.data).toEqual({ email: ERASED_MARKERS.email, phone: ERASED_MARKERS.phone, firstName: ERASED_MARKERS.text, country: 'GB' });
    await store.append('customer-k2', [registered(3, 'k2')]);
    const rows = (await pool.query(`SELECT data::text AS data FROM ${raw.eventsTable} WHERE stream_id = 'customer-k2' ORDER BY revision`)).rows;
    expect(rows[1].data).toContain(ERASED_MARKERS.email);
    expect(await keyring.destroyedAt('k2')).not.toBeNull();
    expect(await keyring.destroyedAt('k1')).toBeNull();
  });

  it('refuses a master key list naming the wrong variable', () => {
    expect(() => parseMasterKeys('m1:c2hvcnQ=', 'm1')).toThrow("RAPPORT_MASTER_KEYS: key 'm1' must be 32 bytes");
    expect(() => parseMasterKeys(formatMasterKeys(master), 'nope')).toThrow("RAPPORT_MASTER_KEY_ID: 'nope' is not one of RAPPORT_MASTER_KEYS");
  });
});
