import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { ApiKeyStore } from './api-keys';

describe('ApiKeyStore', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: ApiKeyStore;

  beforeAll(async () => {
    database = await createTestDatabase('api_keys');
    pool = new Pool({ connectionString: database.url, max: 4 });
    store = new ApiKeyStore(pool);
    await store.migrate();
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('creates a key in the documented format and authenticates it', async () => {
    const created = await store.create({ role: 'emitter', name: 'shop' });
    expect(created.key).toMatch(/^rpk_emitter_[0-9A-Za-z]{40}$/);
    expect(created).toMatchObject({ name: 'shop', role: 'emitter' });
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
    expect(await store.authenticate(created.key)).toEqual({ keyId: created.id, name: 'shop', role: 'emitter' });
  });

  it('stores only a SHA-256 hash of the key', async () => {
    const created = await store.create({ role: 'analyst', name: 'bi' });
    const { rows } = await pool.query(`SELECT * FROM rapport_auth.api_keys WHERE id = $1`, [created.id]);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(created.key);
    expect(stored).not.toContain(created.key.slice(12));
    expect((rows[0].key_hash as Buffer).length).toBe(32);
  });

  it('rejects unknown, malformed and near-miss keys', async () => {
    const created = await store.create({ role: 'support', name: 'desk' });
    const flipped = created.key.slice(0, -1) + (created.key.endsWith('a') ? 'b' : 'a');
    expect(await store.authenticate(flipped)).toBeNull();
    expect(await store.authenticate('')).toBeNull();
    expect(await store.authenticate('rpk_support_short')).toBeNull();
    expect(await store.authenticate(created.key.replace('rpk_support_', 'rpk_admin_'))).toBeNull();
    expect(await store.authenticate("'; DROP TABLE rapport_auth.api_keys; --")).toBeNull();
  });

  it('lists keys without secrets', async () => {
    const created = await store.create({ role: 'admin', name: 'ops' });
    const listed = await store.list();
    const ops = listed.find((key) => key.id === created.id);
    expect(ops).toEqual({ id: created.id, name: 'ops', role: 'admin', createdAt: created.createdAt, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(Object.keys(ops!).sort()).toEqual(['createdAt', 'id', 'name', 'revokedAt', 'role']);
  });

  it('refuses a second active key with the same name, and unknown roles', async () => {
    await store.create({ role: 'emitter', name: 'mailer' });
    await expect(store.create({ role: 'emitter', name: 'mailer' })).rejects.toThrow('an active API key named "mailer" already exists');
    await expect(store.create({ role: 'root' as never, name: 'x' })).rejects.toThrow('unknown role "root"');
  });

  it('revokes by name at once for this instance, and the name can be reused', async () => {
    const created = await store.create({ role: 'emitter', name: 'call-centre' });
    expect(await store.authenticate(created.key)).not.toBeNull();
    expect(await store.revoke('call-centre')).toBe(true);
    expect(await store.authenticate(created.key)).toBeNull();
    expect(await store.revoke('call-centre')).toBe(false);
    expect((await store.list()).find((key) => key.id === created.id)?.revokedAt).not.toBeNull();
    const again = await store.create({ role: 'emitter', name: 'call-centre' });
    expect(await store.authenticate(again.key)).toMatchObject({ name: 'call-centre' });
  });

  it('revokes by id; another instance honours it once its cache entry expires', async () => {
    const created = await store.create({ role: 'emitter', name: 'warehouse' });
    const other = new ApiKeyStore(pool, 'rapport_auth', { cacheTtlMs: 0 });
    const cached = new ApiKeyStore(pool, 'rapport_auth', { cacheTtlMs: 60_000 });
    expect(await other.authenticate(created.key)).not.toBeNull();
    expect(await cached.authenticate(created.key)).not.toBeNull();

    expect(await store.revoke(created.id)).toBe(true);
    expect(await other.authenticate(created.key)).toBeNull();
    // Within its TTL the caching instance still answers from memory: the documented trade-off.
    expect(await cached.authenticate(created.key)).toMatchObject({ name: 'warehouse' });
  });

  it('returns false when revoking something that does not exist', async () => {
    expect(await store.revoke('nobody')).toBe(false);
    expect(await store.revoke('00000000-0000-4000-8000-000000000000')).toBe(false);
  });

  it('migrates idempotently, also concurrently, and into another schema', async () => {
    await Promise.all([store.migrate(), store.migrate(), new ApiKeyStore(pool, 'tenant_auth').migrate()]);
    const tenant = new ApiKeyStore(pool, 'tenant_auth');
    const created = await tenant.create({ role: 'analyst', name: 'shop' });
    expect(await tenant.authenticate(created.key)).toMatchObject({ role: 'analyst' });
    expect(await store.authenticate(created.key)).toBeNull();
    expect(() => new ApiKeyStore(pool, 'bad-schema; drop')).toThrow('invalid schema name');
  });
});
