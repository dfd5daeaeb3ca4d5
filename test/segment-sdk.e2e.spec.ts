import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Analytics } from '@segment/analytics-node';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { IngestModule } from '@rapport/ingest';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { createHttpApp, PlatformModule } from '@rapport/platform/nest';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { TimelineModule } from '@rapport/timeline';
import { Pool } from 'pg';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Entry {
  readonly type: string;
  readonly summary: string;
  readonly occurredAt: string;
  readonly related: { readonly orderId?: string };
}

/** Segment's own Node SDK, unchanged but for its host, against ingest and timeline; results read back through the timeline API. */
describe('the Segment Node SDK against Rapport', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let app: NestFastifyApplication;
  const platform = { url: '', keys: { emitter: '', support: '' } };

  // Ingest and timeline as the embedded process mounts them, on the real clock: the SDK stamps sentAt with it.
  beforeAll(async () => {
    database = await createTestDatabase('segment_sdk');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4, pollIntervalMs: 10 });
    pool = new Pool({ connectionString: database.url, max: 2 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    platform.keys.emitter = (await apiKeys.create({ role: 'emitter', name: 'shop-frontend' })).key;
    platform.keys.support = (await apiKeys.create({ role: 'support', name: 'support' })).key;
    const logger = createLogger({ level: 'error', serviceName: 'rapport' });

    @Module({
      imports: [
        PlatformModule.forRoot({ apiKeys, serviceName: 'rapport' }),
        IngestModule.register({ store }),
        TimelineModule.register({ store, databaseUrl: database.url, logger }),
      ],
    })
    class SegmentSdkTestModule {}

    app = await createHttpApp(SegmentSdkTestModule, { logger, docs: { title: 'test', version: '1', description: 'test' } });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    platform.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([store?.close(), pool?.end()]);
    await database?.drop();
  });

  async function timeline(customerId: string, until: (entries: Entry[]) => boolean): Promise<Entry[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await fetch(`${platform.url}/v1/customers/${customerId}/timeline?limit=100&order=oldest`, { headers: { authorization: `Bearer ${platform.keys.support}` } });
      const entries = response.status === 200 ? ((await response.json()) as { entries: Entry[] }).entries : [];
      if (until(entries) || Date.now() > deadline) return entries;
      await sleep(200);
    }
  }

  it('sends identify, page, track and alias with its own batching; the customer timeline shows them, the visitor history included', async () => {
    const analytics = new Analytics({ writeKey: platform.keys.emitter, host: platform.url, path: '/v1/batch', flushAt: 3, flushInterval: 200, maxRetries: 3 });
    const failures: unknown[] = [];
    analytics.on('error', (error) => failures.push(error));
    const delivered: string[] = [];
    analytics.on('http_response', (response) => delivered.push(String(response.status)));

    const visitor = 'sdk-visitor-1';
    const customer = 'sdk-customer-1';
    analytics.page({ anonymousId: visitor, name: 'Home', properties: { url: 'https://shop.example/' }, timestamp: new Date('2024-06-01T09:00:00Z') });
    analytics.track({ anonymousId: visitor, event: 'Product Viewed', properties: { sku: 'MUG-1' }, timestamp: new Date('2024-06-01T09:01:00Z') });
    analytics.identify({ userId: customer, anonymousId: visitor, traits: { email: 'sdk@example.com', firstName: 'Sdk' }, timestamp: new Date('2024-06-01T09:02:00Z') });
    analytics.track({
      userId: customer,
      event: 'Order Completed',
      properties: { order_id: 'sdk-o-1', total: 19.98, currency: 'EUR', products: [{ sku: 'MUG-1', quantity: 2, price: 9.99 }] },
      timestamp: new Date('2024-06-01T09:05:00Z'),
    });
    analytics.track({ userId: customer, event: 'Review Written', properties: { stars: 5 }, timestamp: new Date('2024-06-01T09:10:00Z') });
    analytics.alias({ userId: customer, previousId: 'sdk-old-visitor', timestamp: new Date('2024-06-01T09:11:00Z') });
    await analytics.closeAndFlush({ timeout: 20_000 });

    expect(failures).toEqual([]);
    // flushAt 3: six messages go in more than one request.
    expect(delivered.length).toBeGreaterThanOrEqual(2);
    expect(new Set(delivered)).toEqual(new Set(['200']));

    const entries = await timeline(customer, (found) => found.length >= 6);
    expect(entries.map((entry) => [entry.type, entry.summary])).toEqual([
      ['VisitRecorded', expect.stringMatching(/^Web visit/)],
      ['VisitRecorded', expect.stringMatching(/1 product viewed/)],
      ['CustomerProfileUpdated', expect.any(String)],
      ['CustomerIdentified', 'Identified (visitor sdk-visitor-1)'],
      ['OrderPlaced', expect.stringContaining('€19.98')],
      ['CustomEventTracked', 'Review Written'],
      ['CustomerIdentified', 'Identified by alias (visitor sdk-old-visitor)'],
    ]);
    expect(entries.find((entry) => entry.type === 'OrderPlaced')?.related.orderId).toBe('sdk-o-1');
  }, 90_000);

  it('retries after a failed delivery without storing anything twice', async () => {
    const customer = 'sdk-customer-2';
    // The first request is answered 503 before it reaches Rapport; the SDK's retry then delivers the same messageIds.
    let attempts = 0;
    const analytics = new Analytics({
      writeKey: platform.keys.emitter,
      host: platform.url,
      flushAt: 2,
      maxRetries: 3,
      httpClient: {
        makeRequest: async (options) => {
          attempts++;
          const response = await fetch(options.url, { method: options.method, headers: options.headers, body: options.body });
          // Delivered, but the answer is lost: the SDK must re-send what was already stored.
          return attempts === 1 ? { status: 503, statusText: 'lost answer', headers: {} } : response;
        },
      },
    });
    analytics.track({ userId: customer, event: 'Coupon Applied', timestamp: new Date('2024-06-02T10:00:00Z') });
    analytics.track({ userId: customer, event: 'Coupon Removed', timestamp: new Date('2024-06-02T10:01:00Z') });
    await analytics.closeAndFlush({ timeout: 20_000 });

    expect(attempts).toBe(2);
    await timeline(customer, (found) => found.length >= 2);
    await sleep(500);
    const entries = await timeline(customer, () => true);
    expect(entries.map((entry) => entry.summary)).toEqual(['Coupon Applied', 'Coupon Removed']);
  }, 60_000);
});
