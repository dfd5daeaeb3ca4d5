import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { TooManyAttemptsError, UnauthorizedError, ValidationError } from '../errors';
import { hashPassword, verifyPassword } from './passwords';
import { StaffStore } from './staff';

// Cheap parameters keep the suite quick; the format and compare are the same as the defaults'.
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

describe('StaffStore', () => {
  let database: TestDatabase;
  let pool: Pool;
  let now: Date;
  let store: StaffStore;

  beforeAll(async () => {
    database = await createTestDatabase('staff');
    pool = new Pool({ connectionString: database.url, max: 4 });
    now = new Date('2026-01-05T09:00:00Z');
    store = new StaffStore(pool, 'rapport_auth', { clock: () => now, scrypt: FAST_SCRYPT, idleTimeoutMs: 30 * 60_000 });
    await store.migrate();
    await store.migrate();
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const advance = (ms: number) => (now = new Date(now.getTime() + ms));

  it('stores a salted scrypt hash, never the password, and two users with one password get different hashes', async () => {
    const a = await store.create({ email: 'ann@example.com', name: 'Ann', role: 'support', password: 'correct horse battery' });
    const b = await store.create({ email: 'bob@example.com', name: 'Bob', role: 'analyst', password: 'correct horse battery' });
    const { rows } = await pool.query<{ id: string; password_hash: string }>('SELECT id, password_hash FROM rapport_auth.staff WHERE id = ANY($1)', [[a.id, b.id]]);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.password_hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
      expect(row.password_hash).not.toContain('correct horse');
    }
    expect(rows[0]!.password_hash.split('$')[4]).not.toBe(rows[1]!.password_hash.split('$')[4]);
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
    expect(await verifyPassword('correct horse battery', rows[0]!.password_hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', rows[0]!.password_hash)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'not a hash')).toBe(false);
  });

  it('uses memory-hard defaults (N = 2^14, r = 8: 16 MiB per guess)', async () => {
    expect(await hashPassword('a long enough password')).toMatch(/^scrypt\$16384\$8\$1\$/);
  });

  it('refuses short passwords, bad emails, unknown roles and a second account for one email (any case)', async () => {
    await expect(store.create({ email: 'x@example.com', name: 'X', role: 'support', password: 'short' })).rejects.toMatchObject({
      errors: [{ path: 'password', message: 'must be at least 12 characters' }],
    });
    await expect(store.create({ email: 'nope', name: 'X', role: 'emitter' as never, password: 'long enough password' })).rejects.toMatchObject({
      errors: [
        { path: 'email', message: 'must be an email address' },
        { path: 'role', message: 'must be one of support, analyst, admin' },
      ],
    });
    await expect(store.create({ email: 'ANN@example.com', name: 'Ann 2', role: 'support', password: 'long enough password' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('signs in with the right password (email in any case) and the session authenticates as the staff member', async () => {
    const { token, session } = await store.signIn('Ann@Example.com', 'correct horse battery');
    expect(session.staff).toMatchObject({ email: 'ann@example.com', role: 'support', disabled: false });
    expect(session.principal).toEqual({ keyId: session.staff.id, name: 'Ann', role: 'support' });
    const again = await store.authenticate(token);
    expect(again?.staff.id).toBe(session.staff.id);
    expect(again?.csrfToken).toBe(session.csrfToken);
    const { rows } = await pool.query('SELECT * FROM rapport_auth.staff_sessions');
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const wrong = await store.signIn('bob@example.com', 'wrong password!!').catch((error: unknown) => error);
    const unknown = await store.signIn('nobody@example.com', 'wrong password!!').catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(UnauthorizedError);
    expect(unknown).toBeInstanceOf(UnauthorizedError);
    expect((wrong as Error).message).toBe((unknown as Error).message);
  });

  it('locks an email after 5 failures in 15 minutes, even for the right password, and lets it in once the window has passed', async () => {
    await store.create({ email: 'carol@example.com', name: 'Carol', role: 'admin', password: 'carols password 1' });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await expect(store.signIn('carol@example.com', `guess ${attempt} is wrong`)).rejects.toBeInstanceOf(UnauthorizedError);
      advance(60_000);
    }
    const locked = await store.signIn('carol@example.com', 'carols password 1').catch((error: unknown) => error);
    expect(locked).toBeInstanceOf(TooManyAttemptsError);
    // The first failure was 5 minutes ago: 10 minutes to go.
    expect((locked as TooManyAttemptsError).retryAfterSeconds).toBe(10 * 60);
    expect((locked as Error).message).toContain('try again in 10 min');
    // Other accounts are not affected.
    await expect(store.signIn('ann@example.com', 'correct horse battery')).resolves.toBeDefined();

    advance(10 * 60_000 + 1_000);
    const { session } = await store.signIn('carol@example.com', 'carols password 1');
    expect(session.staff.email).toBe('carol@example.com');
  });

  it('ends a session idle for longer than the timeout, and keeps one that is used', async () => {
    const { token: used } = await store.signIn('bob@example.com', 'correct horse battery');
    const { token: idle } = await store.signIn('bob@example.com', 'correct horse battery');
    advance(20 * 60_000);
    expect(await store.authenticate(used)).not.toBeNull();
    advance(20 * 60_000);
    // `used` was seen 20 minutes ago, `idle` 40 minutes ago.
    expect(await store.authenticate(used)).not.toBeNull();
    expect(await store.authenticate(idle)).toBeNull();
    // And it stays gone.
    advance(-39 * 60_000);
    expect(await store.authenticate(idle)).toBeNull();
    advance(39 * 60_000);
  });

  it('disabling an account ends its sessions and refuses its sign-in; a password reset enables it again', async () => {
    const { token } = await store.signIn('bob@example.com', 'correct horse battery');
    expect((await store.disable('bob@example.com'))?.disabled).toBe(true);
    expect(await store.authenticate(token)).toBeNull();
    await expect(store.signIn('bob@example.com', 'correct horse battery')).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await store.checkPassword('bob@example.com', 'correct horse battery')).toBe(false);

    const reset = await store.resetPassword('bob@example.com', 'a brand new password');
    expect(reset?.disabled).toBe(false);
    await expect(store.signIn('bob@example.com', 'correct horse battery')).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(store.signIn('bob@example.com', 'a brand new password')).resolves.toBeDefined();
    expect(await store.disable('nobody@example.com')).toBeUndefined();
  });

  it('signing out ends the session; malformed tokens never reach the database', async () => {
    const { token } = await store.signIn('ann@example.com', 'correct horse battery');
    await store.signOut(token);
    expect(await store.authenticate(token)).toBeNull();
    expect(await store.authenticate("'; DROP TABLE rapport_auth.staff; --")).toBeNull();
    expect((await store.list()).map((account) => account.email)).toEqual(['ann@example.com', 'bob@example.com', 'carol@example.com']);
  });
});
