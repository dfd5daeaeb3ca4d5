import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createIngestApp } from '@rapport/ingest';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { sendBatch } from './event-batches';
import { JsonClient } from './http-client';

const visit = (id: string, anonymousId = 'visitor-1') => ({
  id,
  type: 'VisitRecorded',
  anonymousId,
  occurredAt: '2024-05-01T09:00:00Z',
  source: 'web',
  data: { sessionId: `s-${id.slice(0, 8)}`, channel: 'web', pages: 2 },
});

describe('sending batches to the ingest API', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let app: NestFastifyApplication;
  let client: JsonClient;

  beforeAll(async () => {
    database = await createTestDatabase('cli_batches');
    store = await createPostgresEventStore({ connectionString: database.url });
    pool = new Pool({ connectionString: database.url, max: 2 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    const { key } = await apiKeys.create({ role: 'emitter', name: 'cli-test' });
    app = await createIngestApp({ store, apiKeys, logger: createLogger({ level: 'silent', serviceName: 'test' }) });
    await app.listen(0, '127.0.0.1');
    client = new JsonClient(await app.getUrl(), key);
  });

  afterAll(async () => {
    client.close();
    await app.close();
    await store.close();
    await pool.end();
    await database.drop();
  });

  it('counts stored events and duplicates', async () => {
    const events = [visit('11111111-1111-4111-8111-111111111111'), visit('22222222-2222-4222-8222-222222222222')];
    expect(await sendBatch(client, events)).toEqual({ stored: 2, duplicates: 0, rejected: [] });
    expect(await sendBatch(client, [...events, visit('33333333-3333-4333-8333-333333333333')])).toEqual({
      stored: 1,
      duplicates: 2,
      rejected: [],
    });
  });

  it('reports the events the API refuses by index and still stores the rest of the batch', async () => {
    const events = [
      visit('44444444-4444-4444-8444-444444444444'),
      { ...visit('55555555-5555-4555-8555-555555555555'), data: { channel: 'web' } },
      visit('66666666-6666-4666-8666-666666666666'),
      visit('44444444-4444-4444-8444-444444444444', 'visitor-2'),
    ];
    const outcome = await sendBatch(client, events);
    expect(outcome.stored).toBe(2);
    expect(outcome.duplicates).toBe(0);
    expect(outcome.rejected).toEqual([
      { index: 1, reason: 'data.sessionId: required' },
      { index: 3, reason: 'id: same id as event 0 of this batch; each event needs its own id' },
    ]);
    expect((await store.readStream('visitor-visitor-1')).map((e) => e.id)).toContain('66666666-6666-4666-8666-666666666666');
  });

  it('fails clearly when the key is refused', async () => {
    const stranger = new JsonClient(await app.getUrl(), 'rpk_emitter_0000000000000000000000000000000000000000');
    await expect(sendBatch(stranger, [visit('77777777-7777-4777-8777-777777777777')])).rejects.toThrow('/v1/events/batch answered 401');
    stranger.close();
  });
});
