import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaffStore } from '@rapport/platform';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { ensureDevStaff } from './dev-staff';

describe('dev staff accounts', () => {
  let database: TestDatabase;
  let pool: Pool;
  let staff: StaffStore;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    database = await createTestDatabase('dev_staff');
    pool = new Pool({ connectionString: database.url, max: 2 });
    staff = new StaffStore(pool, 'rapport_auth', { scrypt: { N: 2 ** 10, r: 8, p: 1 } });
    await staff.migrate();
    dir = await mkdtemp(join(tmpdir(), 'rapport-dev-staff-'));
    file = join(dir, 'dev-staff.json');
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates one account per role, writes the passwords owner-only, and each signs in with its role', async () => {
    const { accounts, created } = await ensureDevStaff(staff, file);
    expect(created).toEqual(['support', 'analyst', 'admin']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(accounts);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    for (const role of ['support', 'analyst', 'admin'] as const) {
      const { session } = await staff.signIn(accounts[role].email, accounts[role].password);
      expect(session.staff.role).toBe(role);
    }
  });

  it('keeps working passwords, and gives a new one to an account whose saved password no longer works or that was disabled', async () => {
    const first = (await ensureDevStaff(staff, file)).accounts;
    const again = await ensureDevStaff(staff, file);
    expect(again).toEqual({ accounts: first, created: [] });

    await staff.disable(first.analyst.email);
    await writeFile(file, JSON.stringify({ ...first, support: { email: first.support.email, password: 'not it at all' } }));
    const repaired = await ensureDevStaff(staff, file);
    expect(repaired.created).toEqual(['support', 'analyst']);
    expect(repaired.accounts.admin).toEqual(first.admin);
    expect(repaired.accounts.support.password).not.toBe('not it at all');
    for (const role of ['support', 'analyst'] as const) {
      await expect(staff.signIn(repaired.accounts[role].email, repaired.accounts[role].password)).resolves.toBeDefined();
    }
    expect((await staff.list()).length).toBe(3);
  });
});
