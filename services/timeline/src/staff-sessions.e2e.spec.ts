import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeyStore, createLogger, StaffStore } from '@rapport/platform';
import { Pool } from 'pg';
import { createTimelineApp } from './app';
import { CUSTOMER, mixedHistory } from './mixed-history';
import { startTimelineTestApp, type TimelineTestApp } from './timeline-test-app';

/*
 * The scaled mode has no embedded app: the console signs in against the timeline API, which
 * the gateway (deploy/gateway.conf, the Ingress) routes /v1/session and /v1/admin/staff to.
 * Sessions are rows in PostgreSQL, so a cookie from one replica is good on every other one.
 */

const PASSWORD = 'correct horse battery staple';
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();
const staffOn = (pool: Pool) => new StaffStore(pool, 'rapport_auth', { scrypt: FAST_SCRYPT, idleTimeoutMs: 30 * 60_000 });

describe('console sign-in against the standalone timeline service (scaled mode)', () => {
  let projector: TimelineTestApp;
  let replica: NestFastifyApplication;
  let replicaPool: Pool;
  let replicaUrl: string;

  beforeAll(async () => {
    projector = await startTimelineTestApp('timeline_staff', {
      staff: async (pool) => {
        const staff = staffOn(pool);
        await staff.migrate();
        return staff;
      },
    });
    const history = mixedHistory();
    await projector.emit([...history.inOrder, ...history.late]);
    // An API-only replica on the same database, as the timeline-api Deployment runs.
    replicaPool = new Pool({ connectionString: projector.databaseUrl, max: 2 });
    replica = await createTimelineApp({
      store: projector.store,
      apiKeys: new ApiKeyStore(replicaPool),
      staff: staffOn(replicaPool),
      databaseUrl: projector.databaseUrl,
      runProjections: false,
      logger: createLogger({ level: 'error', serviceName: 'timeline' }),
    });
    await replica.listen(0, '127.0.0.1');
    const address = replica.getHttpServer().address();
    replicaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await replica?.close();
    await replicaPool?.end();
    await projector?.close();
  });

  const asAdmin = (path: string, body: unknown) =>
    fetch(`${projector.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${projector.keys.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function signIn(base: string, email: string): Promise<{ status: number; cookie: string; csrf: string; body: any }> {
    const response = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    const body = await json(response);
    return { status: response.status, cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: body.csrfToken, body };
  }

  it('creates staff through the admin API (what `rapport staff create --url <gateway>` calls), then signs in and reads customers with the cookie on another replica', async () => {
    for (const role of ['support', 'analyst', 'admin'] as const) {
      const created = await asAdmin('/v1/admin/staff', { email: `${role}@shop.example`, name: `The ${role}`, role, password: PASSWORD });
      expect(created.status).toBe(201);
    }
    const support = await signIn(projector.baseUrl, 'support@shop.example');
    expect(support.status).toBe(201);
    expect(support.cookie).toMatch(/^rapport_session=[A-Za-z0-9_-]{43}$/);
    expect(support.body.staff).toMatchObject({ email: 'support@shop.example', role: 'support' });

    const session = await fetch(`${replicaUrl}/v1/session`, { headers: { cookie: support.cookie } });
    expect(session.status).toBe(200);
    expect((await json(session)).staff.email).toBe('support@shop.example');

    let profile: Response | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
      profile = await fetch(`${replicaUrl}/v1/customers/${CUSTOMER}`, { headers: { cookie: support.cookie } });
      if (profile.status === 200) break;
    }
    expect(profile!.status).toBe(200);
    expect((await json(profile!)).identity.email).toBe('jo@example.com');
    const search = await fetch(`${replicaUrl}/v1/customers?q=jo%40example.com`, { headers: { cookie: support.cookie } });
    expect(search.status).toBe(200);
    expect((await json(search)).results.map((result: { customerId: string }) => result.customerId)).toContain(CUSTOMER);
  });

  it('applies the role rules to sessions: the analyst sees no personal fields and may not use the staff admin API', async () => {
    const analyst = await signIn(replicaUrl, 'analyst@shop.example');
    expect(analyst.status).toBe(201);
    const profile = await fetch(`${projector.baseUrl}/v1/customers/${CUSTOMER}`, { headers: { cookie: analyst.cookie } });
    expect(profile.status).toBe(200);
    const identity = (await json(profile)).identity;
    expect(identity.email).toBeUndefined();
    expect(identity.country).toBe('GB');
    const staff = await fetch(`${projector.baseUrl}/v1/admin/staff`, { headers: { cookie: analyst.cookie } });
    expect(staff.status).toBe(403);
  });

  it('wants the CSRF token on state-changing calls, and a sign-out on one replica ends the session on all', async () => {
    const admin = await signIn(projector.baseUrl, 'admin@shop.example');
    const withoutToken = await fetch(`${replicaUrl}/v1/admin/staff/support@shop.example/disable`, { method: 'POST', headers: { cookie: admin.cookie } });
    expect(withoutToken.status).toBe(403);
    expect((await json(withoutToken)).detail).toMatch(/CSRF token/);

    const signOut = await fetch(`${replicaUrl}/v1/session`, { method: 'DELETE', headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf } });
    expect(signOut.status).toBe(204);
    for (const base of [projector.baseUrl, replicaUrl]) {
      const after = await fetch(`${base}/v1/session`, { headers: { cookie: admin.cookie } });
      expect(after.status).toBe(401);
    }
  });
});
