import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parse } from 'csv-parse';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createIngestApp } from '@rapport/ingest';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { createTimelineApp, TIMELINE_PROJECTIONS, type ProfileSummary, type TimelinePage } from '@rapport/timeline';
import { allRuntimes } from '@rapport/projections';
import { Pool } from 'pg';
import { JsonClient } from '@rapport/cli/src/http-client';
import { importOnlineRetail } from '@rapport/cli/src/online-retail/importer';

// shared/ sits beside the repository clone.
const RETAIL_FILE = join(__dirname, '..', '..', 'shared/data/online-retail.csv.gz');
const CUSTOMER = '17850';

interface FileFigures {
  /** Distinct invoice numbers, guest ones included. */
  readonly invoices: number;
  /** Invoices (orders and C returns) that name a customer: what the import must store. */
  readonly customerInvoices: number;
  readonly customers: number;
  /** Order count and net spend of CUSTOMER. */
  readonly customer: { orders: number; returns: number; netPence: number };
}

/** The figures the import and the timeline must show, straight from the file. */
async function figuresFromFile(customerId: string): Promise<FileFigures> {
  const invoices = new Set<string>();
  const customerInvoices = new Set<string>();
  const customers = new Set<string>();
  const ofCustomer = new Map<string, number>();
  const rows = createReadStream(RETAIL_FILE).pipe(createGunzip()).pipe(parse({ columns: true, bom: true }));
  for await (const row of rows as AsyncIterable<Record<string, string>>) {
    invoices.add(row.InvoiceNo);
    const customer = row.CustomerID.replace(/\.0$/, '');
    if (customer === '') continue;
    customerInvoices.add(row.InvoiceNo);
    customers.add(customer);
    if (customer !== customerId) continue;
    const pence = Number(row.Quantity) * Math.round(Number(row.UnitPrice) * 100);
    ofCustomer.set(row.InvoiceNo, (ofCustomer.get(row.InvoiceNo) ?? 0) + pence);
  }
  const customer = { orders: 0, returns: 0, netPence: 0 };
  for (const [number, pence] of ofCustomer) {
    if (number.startsWith('C')) customer.returns++;
    else customer.orders++;
    customer.netPence += pence;
  }
  return { invoices: invoices.size, customerInvoices: customerInvoices.size, customers: customers.size, customer };
}

describe('online-retail import → timeline', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let ingest: NestFastifyApplication;
  let timeline: NestFastifyApplication;
  let keys: { emitter: string; support: string };

  beforeAll(async () => {
    database = await createTestDatabase('retail_timeline');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 6 });
    pool = new Pool({ connectionString: database.url, max: 2 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    keys = {
      emitter: (await apiKeys.create({ role: 'emitter', name: 'importer' })).key,
      support: (await apiKeys.create({ role: 'support', name: 'desk' })).key,
    };
    const logger = createLogger({ level: 'error', serviceName: 'e2e' });
    ingest = await createIngestApp({ store, apiKeys, logger });
    timeline = await createTimelineApp({ store, apiKeys, logger, databaseUrl: database.url });
    await ingest.listen(0, '127.0.0.1');
    await timeline.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await Promise.allSettled([ingest?.close(), timeline?.close()]);
    await Promise.allSettled([store?.close(), pool?.end()]);
    await database?.drop();
  });

  const urlOf = (app: NestFastifyApplication) => {
    const address = app.getHttpServer().address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };

  it(`imports every customer invoice once, and shows customer ${CUSTOMER} with the order count and net spend of the file`, async () => {
    const file = await figuresFromFile(CUSTOMER);
    const expected = file.customer;
    expect(expected).toEqual({ orders: 34, returns: 1, netPence: 528863 });
    expect(file.invoices).toBe(25_900);

    const client = new JsonClient(urlOf(ingest), keys.emitter, { maxSockets: 4 });
    const summary = await importOnlineRetail({ file: RETAIL_FILE, batchSize: 500, client });
    expect(summary).toMatchObject({ invoices: file.invoices, customersRegistered: file.customers, rejected: 0 });
    expect(summary.orders + summary.returns).toBe(file.customerInvoices);
    expect(summary.events).toBe(file.customerInvoices + file.customers);
    expect(summary.stored).toBe(summary.events);

    const again = await importOnlineRetail({ file: RETAIL_FILE, batchSize: 500, client });
    client.close();
    expect(again).toMatchObject({ events: summary.events, stored: 0, duplicates: summary.events, rejected: 0 });
    const { rows } = await pool.query<{ stored: number }>('SELECT count(*)::int AS stored FROM rapport_events.events');
    expect(rows).toEqual([{ stored: summary.events }]);

    const runtime = allRuntimes().find((candidate) => candidate.has(TIMELINE_PROJECTIONS[0].name));
    await runtime?.settled(120_000);

    const support = new JsonClient(urlOf(timeline), keys.support);
    const profile = (await support.get(`/v1/customers/${CUSTOMER}`)).body as ProfileSummary;
    expect(profile.orders.count).toBe(expected.orders);
    expect(profile.orders.netSpend).toEqual({ amount: expected.netPence, currency: 'GBP' });
    expect(profile.identity.country).toBe('GB');

    const page = (await support.get(`/v1/customers/${CUSTOMER}/timeline?limit=200`)).body as TimelinePage;
    const count = (type: string) => page.entries.filter((entry) => entry.type === type).length;
    expect([count('OrderPlaced'), count('OrderReturned'), count('CustomerRegistered')]).toEqual([expected.orders, expected.returns, 1]);
    expect(page.entries[page.entries.length - 2].summary).toBe('Order #536365 placed — 40 items, £139.12');
    support.close();
  }, 600_000);
});
