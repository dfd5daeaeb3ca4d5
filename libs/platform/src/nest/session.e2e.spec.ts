import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { ApiKeyStore, type Principal } from '../auth/api-keys';
import { StaffStore } from '../auth/staff';
import { createLogger } from '../logger';
import { problemType } from '../problem';
import { CurrentPrincipal, Roles } from './decorators';
import { createHttpApp } from './http-app';
import { PlatformModule } from './platform.module';

@Controller('v1/cases')
class CasesController {
  @Get()
  @Roles('support', 'analyst')
  list(@CurrentPrincipal() principal: Principal) {
    return { caller: principal };
  }

  @Post()
  @HttpCode(201)
  @Roles('support')
  act(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { actor: { id: principal.keyId, name: principal.name }, body };
  }
}

const PASSWORD = 'a long enough password';

describe('staff sessions over HTTP: cookie, CSRF, roles, lockout, idle timeout', () => {
  let database: TestDatabase;
  let pool: Pool;
  let app: NestFastifyApplication;
  let base: string;
  let now = new Date('2026-02-01T10:00:00Z');
  let adminKey: string;

  beforeAll(async () => {
    database = await createTestDatabase('staff_http');
    pool = new Pool({ connectionString: database.url, max: 4 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    adminKey = (await apiKeys.create({ role: 'admin', name: 'ops' })).key;
    const staff = new StaffStore(pool, 'rapport_auth', { clock: () => now, scrypt: { N: 2 ** 10, r: 8, p: 1 }, idleTimeoutMs: 30 * 60_000 });
    await staff.migrate();
    for (const role of ['support', 'analyst', 'admin'] as const) await staff.create({ email: `${role}@example.com`, name: `The ${role}`, role, password: PASSWORD });

    @Module({ imports: [PlatformModule.forRoot({ apiKeys, staff, serviceName: 'cases' })], controllers: [CasesController] })
    class CasesModule {}
    app = await createHttpApp(CasesModule, { logger: createLogger({ level: 'silent', serviceName: 'cases' }), shutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await database?.drop();
  });

  const json = async (response: Response): Promise<any> => response.json();
  const signIn = (email: string, password = PASSWORD, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password }) });

  async function session(role: string): Promise<{ cookie: string; csrf: string; id: string }> {
    const response = await signIn(`${role}@example.com`);
    expect(response.status).toBe(201);
    const body = await json(response);
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    return { cookie, csrf: body.csrfToken, id: body.staff.id };
  }

  it('sets an HttpOnly, SameSite=Lax session cookie, Secure only behind TLS, and answers with the staff member and a CSRF token', async () => {
    const plain = await signIn('support@example.com');
    expect(plain.status).toBe(201);
    const cookie = plain.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^rapport_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    const body = await json(plain);
    expect(body).toMatchObject({ staff: { email: 'support@example.com', role: 'support', name: 'The support' }, idleTimeoutSeconds: 1800 });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(body)).not.toContain(PASSWORD);

    const behindTls = await signIn('support@example.com', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(behindTls.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('lets a session read what its role may, and GET /v1/session tells who is signed in', async () => {
    const { cookie, id } = await session('analyst');
    const cases = await fetch(`${base}/v1/cases`, { headers: { cookie } });
    expect(cases.status).toBe(200);
    expect(await json(cases)).toEqual({ caller: { keyId: id, name: 'The analyst', role: 'analyst' } });
    const current = await fetch(`${base}/v1/session`, { headers: { cookie } });
    expect((await json(current)).staff).toMatchObject({ id, role: 'analyst' });
  });

  it('refuses a state-changing call without the CSRF token, or with another session\'s, with 403', async () => {
    const support = await session('support');
    const other = await session('support');
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: support.cookie, ...headers }, body: '{"note":"hi"}' });

    const attempts: Record<string, string>[] = [{}, { 'x-csrf-token': other.csrf }, { 'x-csrf-token': `${support.csrf}x` }];
    for (const headers of attempts) {
      const refused = await post(headers);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect((await json(refused)).detail).toContain('x-csrf-token');
    }
    const accepted = await post({ 'x-csrf-token': support.csrf });
    expect(accepted.status).toBe(201);
    // The staff id is the principal's id: what commands record as the event actor.
    expect(await json(accepted)).toEqual({ actor: { id: support.id, name: 'The support' }, body: { note: 'hi' } });
  });

  it('applies the same role rules as API keys: an analyst may not act, an admin may do anything', async () => {
    const analyst = await session('analyst');
    const refused = await fetch(`${base}/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: analyst.cookie, 'x-csrf-token': analyst.csrf },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    expect((await json(refused)).detail).toBe('A staff member with role "analyst" may not call this route; allowed: admin, support.');

    const admin = await session('admin');
    const staffList = await fetch(`${base}/v1/admin/staff`, { headers: { cookie: admin.cookie } });
    expect(staffList.status).toBe(200);
    const support = await session('support');
    expect((await fetch(`${base}/v1/admin/staff`, { headers: { cookie: support.cookie } })).status).toBe(403);
  });

  it('signs out (with the CSRF token): the cookie is cleared and the session no longer works', async () => {
    const { cookie, csrf } = await session('support');
    expect((await fetch(`${base}/v1/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    const out = await fetch(`${base}/v1/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^rapport_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/);
    const after = await fetch(`${base}/v1/cases`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect((await json(after)).detail).toContain('sign in again');
  });

  it('ends a session after 30 idle minutes (injected clock)', async () => {
    const { cookie } = await session('support');
    now = new Date(now.getTime() + 29 * 60_000);
    expect((await fetch(`${base}/v1/cases`, { headers: { cookie } })).status).toBe(200);
    now = new Date(now.getTime() + 29 * 60_000);
    expect((await fetch(`${base}/v1/cases`, { headers: { cookie } })).status).toBe(200);
    now = new Date(now.getTime() + 31 * 60_000);
    expect((await fetch(`${base}/v1/cases`, { headers: { cookie } })).status).toBe(401);
  });

  it('locks sign-in after 5 failures with a 429 problem saying when to retry', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await signIn('admin@example.com', 'not the password')).status).toBe(401);
    const locked = await signIn('admin@example.com');
    expect(locked.status).toBe(429);
    expect(await json(locked)).toMatchObject({ type: problemType('too-many-attempts'), status: 429, retryAfterSeconds: 900 });
    expect(locked.headers.get('set-cookie')).toBeNull();
  });

  it('answers bad sign-in bodies with 400 naming the field, and an API key on /v1/session with 401', async () => {
    const bad = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a@b.c","password":5,"extra":1}' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).errors).toEqual([
      { path: 'password', message: 'must be a string' },
      { path: 'extra', message: 'unknown field' },
    ]);
    const withKey = await fetch(`${base}/v1/session`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(withKey.status).toBe(401);
  });

  it('lets an admin key manage staff: create (password generated once), disable, reset', async () => {
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${base}/v1/admin/staff`, { method: 'POST', headers: admin, body: JSON.stringify({ email: 'dan@example.com', name: 'Dan', role: 'support' }) });
    expect(created.status).toBe(201);
    const { password, id } = await json(created);
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await signIn('dan@example.com', password)).status).toBe(201);
    expect((await fetch(`${base}/v1/admin/staff/dan@example.com/disable`, { method: 'POST', headers: admin, body: '{}' })).status).toBe(200);
    expect((await signIn('dan@example.com', password)).status).toBe(401);
    const reset = await fetch(`${base}/v1/admin/staff/${id}/password`, { method: 'POST', headers: admin, body: '{"password":"another fine password"}' });
    expect(reset.status).toBe(200);
    expect((await json(reset)).password).toBeUndefined();
    expect((await signIn('dan@example.com', 'another fine password')).status).toBe(201);
    expect((await fetch(`${base}/v1/admin/staff/nobody/disable`, { method: 'POST', headers: admin, body: '{}' })).status).toBe(404);
    const duplicate = await fetch(`${base}/v1/admin/staff`, { method: 'POST', headers: admin, body: JSON.stringify({ email: 'DAN@example.com', name: 'Dan', role: 'support' }) });
    expect(duplicate.status).toBe(400);
  });
});
