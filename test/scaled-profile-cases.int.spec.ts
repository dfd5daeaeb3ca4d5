import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createCasesApp } from '@rapport/cases';
import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { casesOverHttp, createTimelineApp } from '@rapport/timeline';
import { Pool } from 'pg';

/*
 * The scaled split of the profile: the timeline service asks the cases service (over HTTP, with
 * the caller's own key) for a customer's open complaints and pending callbacks, so the profile
 * and the work queue read one model; with the cases service down it shows its own rows and says so.
 */
describe('the scaled profile reads open cases from the cases service', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let cases: NestFastifyApplication | undefined;
  let timeline: NestFastifyApplication;
  const keys: Record<'support' | 'analyst' | 'emitter' | 'admin', string> = { support: '', analyst: '', emitter: '', admin: '' };
  const logger = createLogger({ level: 'error', serviceName: 'test' });
  const warnings: object[] = [];

  const append = async (type: string, occurredAt: string, data: Record<string, unknown>, customerId = 'c-scaled') => {
    const event = { id: randomUUID(), type, version: 1, customerId, occurredAt, source: 'support-desk', data } as Envelope<string, unknown> & { customerId: string };
    await store.append(streamIdFor(event), [toStoredEvent(event, occurredAt)]);
  };
  const profile = async (role: keyof typeof keys, customerId = 'c-scaled') => {
    const response = await timeline.inject({ method: 'GET', url: `/v1/customers/${customerId}`, headers: { authorization: `Bearer ${keys[role]}` } });
    return { status: response.statusCode, body: response.json() };
  };
  const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const value = await read();
      if (done(value) || attempt === 100) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('scaled_profile');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4, pollIntervalMs: 10 });
    pool = new Pool({ connectionString: database.url, max: 2 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    for (const role of ['support', 'analyst', 'emitter', 'admin'] as const) keys[role] = (await apiKeys.create({ role, name: `${role}-key` })).key;
    cases = await createCasesApp({ store, apiKeys, logger, databaseUrl: database.url, schedulerIntervalMs: 0 });
    await cases.listen(0, '127.0.0.1');
    const { port } = cases.getHttpAdapter().getInstance().server.address() as AddressInfo;
    timeline = await createTimelineApp({
      store,
      apiKeys,
      logger,
      databaseUrl: database.url,
      customerCases: casesOverHttp({ baseUrl: `http://127.0.0.1:${port}/`, timeoutMs: 1_000, log: { warn: (details) => warnings.push(details) } }),
    });
    await timeline.init();
    await timeline.getHttpAdapter().getInstance().ready();

    await append('CustomerRegistered', '2030-03-01T09:00:00Z', { firstName: 'Sam', email: 'sam@example.com' });
    await append('ComplaintFiled', '2030-03-04T09:00:00Z', { complaintId: 'cmp-s1', category: 'delivery', severity: 'high', channel: 'email', summary: 'Late' });
    await append('ComplaintFiled', '2030-03-04T10:00:00Z', { complaintId: 'cmp-s2', category: 'billing', severity: 'low', channel: 'phone', summary: 'Charged twice' });
    await append('ComplaintResolved', '2030-03-05T10:00:00Z', { complaintId: 'cmp-s2', resolution: 'Refunded' });
    await append('CallbackRequested', '2030-03-06T08:00:00Z', { callbackId: 'cb-s1', reason: 'order_question', phone: '+447700900333', preferredWindow: { date: '2030-03-07', from: '09:00', to: '11:00' } });
  }, 60_000);

  afterAll(async () => {
    await timeline?.close();
    await cases?.close();
    await Promise.allSettled([store?.close(), pool?.end()]);
    await database?.drop();
  });

  it('shows the cases model for support and analysts alike, asked with their own key', async () => {
    const open = (body: { openComplaints?: unknown[]; pendingCallbacks?: unknown[] }) => body.openComplaints?.length === 1 && body.pendingCallbacks?.length === 1;
    const support = await eventually(() => profile('support'), ({ body }) => open(body) && body.casesSource === 'cases');
    expect(support.status).toBe(200);
    expect(support.body.casesSource).toBe('cases');
    expect(support.body.openComplaints).toEqual([
      { complaintId: 'cmp-s1', status: 'open', category: 'delivery', severity: 'high', orderId: null, filedAt: '2030-03-04T09:00:00.000Z', escalationLevel: 0 },
    ]);
    expect(support.body.pendingCallbacks).toEqual([
      { callbackId: 'cb-s1', status: 'requested', requestedAt: '2030-03-06T08:00:00.000Z', preferredWindow: { date: '2030-03-07', from: '09:00', to: '11:00' }, scheduledFor: null },
    ]);

    const analyst = await profile('analyst');
    expect(analyst.status).toBe(200);
    expect(analyst.body).toMatchObject({ casesSource: 'cases', openComplaints: support.body.openComplaints, pendingCallbacks: support.body.pendingCallbacks });
    expect(analyst.body.identity.email).toBeUndefined();
  });

  it("after a merge the survivor's profile shows the merged customer's open cases too", async () => {
    await append('CustomerRegistered', '2030-03-02T09:00:00Z', { firstName: 'Sam', email: 'sam.dup@example.com' }, 'c-dup');
    await append('ComplaintFiled', '2030-03-07T09:00:00Z', { complaintId: 'cmp-d1', category: 'product', severity: 'medium', channel: 'web', summary: 'Broken' }, 'c-dup');
    await eventually(() => profile('support', 'c-dup'), (answer) => answer.status === 200);
    const merge = await timeline.inject({
      method: 'POST',
      url: '/v1/customers/c-dup/merge',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      payload: { into: 'c-scaled', reason: 'same person' },
    });
    expect(merge.statusCode).toBe(201);
    const { body } = await eventually(() => profile('support'), (answer) => answer.body.openComplaints?.length === 2);
    expect(body.casesSource).toBe('cases');
    expect(body.openComplaints.map((complaint: { complaintId: string }) => complaint.complaintId)).toEqual(['cmp-s1', 'cmp-d1']);
  });

  it('the cases route refuses a role the profile does not serve, a malformed id and too many merged ids', async () => {
    const { port } = cases!.getHttpAdapter().getInstance().server.address() as AddressInfo;
    const ask = (path: string, key: string) => fetch(`http://127.0.0.1:${port}/v1/cases/by-customer/${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await ask('c-scaled', keys.emitter)).status).toBe(403);
    for (const path of ['a%20b', 'c-scaled?merged=a%20b', `c-scaled?merged=${Array.from({ length: 101 }, (_, i) => `m${i}`).join(',')}`, 'c-scaled?merged=a&merged=b']) {
      const bad = await ask(path, keys.support);
      expect([path, bad.status]).toEqual([path, 400]);
      expect(await bad.json()).toMatchObject({ status: 400 });
    }
  });

  it('with the cases service down, answers 200 from its own rows and says so', async () => {
    await cases!.close();
    cases = undefined;
    const { status, body } = await profile('support');
    expect(status).toBe(200);
    expect(body.casesSource).toBe('timeline');
    expect(body.openComplaints.map((complaint: { complaintId: string }) => complaint.complaintId)).toEqual(['cmp-s1', 'cmp-d1']);
    expect(body.pendingCallbacks.map((callback: { callbackId: string }) => callback.callbackId)).toEqual(['cb-s1']);
    expect(warnings.length).toBeGreaterThan(0);
  });
});
