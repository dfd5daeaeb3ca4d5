import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { createCasesApp } from './app';
import { startCases, type Cases } from './cases';

/*
 * The scaled split: one process builds the read model and runs the scheduler, an API-only
 * replica (runProjections: false) answers HTTP from that model on the same database.
 */
describe('an API-only cases replica', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let projector: Cases | undefined;
  let replica: NestFastifyApplication;
  let support: string;
  const logger = createLogger({ level: 'error', serviceName: 'cases' });

  const file = async (complaintId: string) => {
    const filed = {
      id: randomUUID(),
      type: 'ComplaintFiled',
      version: 1,
      customerId: 'c-replica',
      occurredAt: '2030-03-04T09:00:00Z',
      source: 'support-desk',
      data: { complaintId, category: 'delivery', severity: 'high', channel: 'email', summary: 'Late' },
    } as Envelope<string, unknown> & { customerId: string };
    await store.append(streamIdFor(filed), [toStoredEvent(filed, filed.occurredAt)]);
  };
  const get = async (url: string) => {
    const response = await replica.inject({ method: 'GET', url, headers: { authorization: `Bearer ${support}` } });
    return { status: response.statusCode, body: response.json() };
  };

  beforeAll(async () => {
    database = await createTestDatabase('cases_replica');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4, pollIntervalMs: 10 });
    pool = new Pool({ connectionString: database.url, max: 2 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    support = (await apiKeys.create({ role: 'support', name: 'support-key' })).key;
    projector = await startCases({ store, databaseUrl: database.url, logger, schedulerIntervalMs: 0 });
    replica = await createCasesApp({ store, apiKeys, logger, databaseUrl: database.url, runProjections: false });
    await replica.init();
    await replica.getHttpAdapter().getInstance().ready();
  }, 60_000);

  afterAll(async () => {
    await replica?.close();
    await projector?.stop();
    await Promise.allSettled([store?.close(), pool?.end()]);
    await database?.drop();
  });

  it('serves the queue, the case and staff commands from the model the projector builds', async () => {
    await file('cmp-r1');
    await projector!.projections.settled();
    const queue = await get('/v1/cases?kind=complaint');
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((item: { caseId: string; status: string }) => [item.caseId, item.status])).toEqual([['complaint-cmp-r1', 'open']]);

    const answered = await replica.inject({
      method: 'POST',
      url: '/v1/complaints/cmp-r1/responses',
      headers: { authorization: `Bearer ${support}`, 'content-type': 'application/json', 'idempotency-key': 'replica-r1' },
      payload: { message: 'On it', channel: 'email' },
    });
    expect(answered.statusCode).toBe(201);
    await projector!.projections.settled();
    expect((await get('/v1/cases/complaint-cmp-r1')).body).toMatchObject({ caseId: 'complaint-cmp-r1', status: 'responded' });
  });

  it('projects nothing itself: with the projector stopped, a new complaint stays out of the model', async () => {
    await projector!.stop();
    projector = undefined;
    await file('cmp-r2');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const queue = await get('/v1/cases?kind=complaint');
    expect(queue.body.items.map((item: { caseId: string }) => item.caseId)).toEqual(['complaint-cmp-r1']);
  });
});
