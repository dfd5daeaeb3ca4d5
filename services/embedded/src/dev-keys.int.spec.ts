import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore } from '@rapport/platform';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { ensureDevKeys } from './dev-keys';

describe('dev keys', () => {
  let database: TestDatabase;
  let pool: Pool;
  let apiKeys: ApiKeyStore;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    database = await createTestDatabase('dev_keys');
    pool = new Pool({ connectionString: database.url, max: 2 });
    apiKeys = new ApiKeyStore(pool, 'rapport_auth', { cacheTtlMs: 0 });
    await apiKeys.migrate();
    dir = await mkdtemp(join(tmpdir(), 'rapport-dev-keys-'));
    file = join(dir, 'dev-keys.json');
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates one key per role, reuses them, and replaces only the ones that stopped working', async () => {
    const first = await ensureDevKeys(apiKeys, file);
    expect(first.created.sort()).toEqual(['admin', 'analyst', 'emitter', 'support']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(first.keys);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')))).toEqual(['admin', 'emitter', 'analyst', 'support']);
    for (const [role, key] of Object.entries(first.keys)) {
      expect(await apiKeys.authenticate(key)).toMatchObject({ role, name: `dev-${role}` });
    }

    const second = await ensureDevKeys(apiKeys, file);
    expect(second).toEqual({ keys: first.keys, created: [] });

    await apiKeys.revoke('dev-analyst');
    // A key filed under the wrong role must not be handed out as that role's key.
    await writeFile(file, JSON.stringify({ ...first.keys, support: first.keys.admin }));
    const third = await ensureDevKeys(apiKeys, file);
    expect(third.created.sort()).toEqual(['analyst', 'support']);
    expect(third.keys.emitter).toBe(first.keys.emitter);
    expect(third.keys.admin).toBe(first.keys.admin);
    expect(await apiKeys.authenticate(third.keys.analyst)).toMatchObject({ role: 'analyst' });
    expect(await apiKeys.authenticate(third.keys.support)).toMatchObject({ role: 'support', name: 'dev-support' });
    expect(await apiKeys.authenticate(first.keys.support)).toBeNull();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(third.keys);
  });

  it('starts afresh when the file is unreadable', async () => {
    await writeFile(file, 'not json');
    const result = await ensureDevKeys(apiKeys, file);
    expect(result.created).toHaveLength(4);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(result.keys);
  });
});
