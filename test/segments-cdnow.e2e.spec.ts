import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createIngestApp } from '@rapport/ingest';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { createSegmentsApp, DEFAULT_SETTINGS } from '@rapport/segments';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { JsonClient } from '@rapport/cli/src/http-client';
import { importCdnow } from '@rapport/cli/src/cdnow/importer';

// shared/ sits beside the repository clone.
const CDNOW_FILE = join(__dirname, '..', '..', 'shared/data/cdnow/cdnow-sample-transactions.txt');

jest.setTimeout(300_000);

const within = (actual: number, expected: number, relative: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative);

describe('CDNOW import through ingest → segments value models', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let ingest: NestFastifyApplication;
  let segmentsApp: NestFastifyApplication;
  let keys: { emitter: string; analyst: string; admin: string };
  const url = (app: NestFastifyApplication) => {
    const address = app.getHttpServer().address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };
  const get = async (path: string) => {
    const response = await fetch(`${url(segmentsApp)}${path}`, { headers: { authorization: `Bearer ${keys.analyst}` } });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    database = await createTestDatabase('segments_cdnow');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 6 });
    pool = new Pool({ connectionString: database.url, max: 4 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    keys = {
      emitter: (await apiKeys.create({ role: 'emitter', name: 'importer' })).key,
      analyst: (await apiKeys.create({ role: 'analyst', name: 'analyst' })).key,
      admin: (await apiKeys.create({ role: 'admin', name: 'admin' })).key,
    };
    const logger = createLogger({ level: 'error', serviceName: 'e2e' });
    ingest = await createIngestApp({ store, apiKeys, logger });
    segmentsApp = await createSegmentsApp({ store, apiKeys, logger, databaseUrl: database.url, settings: { ...DEFAULT_SETTINGS, baseCurrency: 'USD', currencyRates: { USD: 1 } } });
    await ingest.listen(0, '127.0.0.1');
    await segmentsApp.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await segmentsApp?.close();
    await ingest?.close();
    await store?.close();
    await pool?.end();
    await database?.drop();
  });

  it('imports every purchase record as an OrderPlaced and fits the published BG/NBD and Gamma-Gamma parameters', async () => {
    const client = new JsonClient(url(ingest), keys.emitter, { maxSockets: 2 });
    const summary = await importCdnow({ file: CDNOW_FILE, batchSize: 500, client }).finally(() => client.close());
    const records = readFileSync(CDNOW_FILE, 'utf8').trim().split('\n').length;
    expect(summary).toMatchObject({ records, customers: 2357, events: records + 2357, stored: records + 2357, rejected: 0 });

    const recompute = await fetch(`${url(segmentsApp)}/v1/segments/recomputes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ asOf: '1997-09-30T00:00:00Z' }),
    });
    expect(recompute.status).toBe(201);

    const model = await get('/v1/segments/model?asOf=1997-09-30T00:00:00Z');
    expect(model.status).toBe(200);
    const { bgNbd, gammaGamma } = model.body;
    within(bgNbd.parameters.r, 0.243, 0.01);
    within(bgNbd.parameters.alpha, 4.414, 0.01);
    within(bgNbd.parameters.a, 0.793, 0.01);
    within(bgNbd.parameters.b, 2.426, 0.01);
    expect(bgNbd.logLikelihood).toBeCloseTo(-9582.4, 0);
    expect(bgNbd).toMatchObject({ customers: 2357, boundary: [] });
    within(gammaGamma.parameters.p, 6.25, 0.01);
    within(gammaGamma.parameters.q, 3.74, 0.01);
    within(gammaGamma.parameters.gamma, 15.44, 0.01);
    expect(gammaGamma).toMatchObject({ customers: 946, spendUnit: 'USD' });
    expect(model.body.predictions).toBe('made');

    // The paper's customer 1 (x 2, t_x 30.43, T 38.86): P(alive) 0.7266.
    const one = await get('/v1/customers/cdnow-1/segment?asOf=1997-09-30T00:00:00Z');
    expect(one.body.model.x).toBe(2);
    expect(one.body.model.pAlive).toBeCloseTo(0.7266, 3);
  });

  it('validates the model on the holdout: predicted and actual repeat purchases per calibration x', async () => {
    const validation = await get('/v1/segments/model/validation?calibrationEnd=1997-09-30T00:00:00Z&holdoutEnd=1998-06-30T00:00:00Z');
    expect(validation.status).toBe(200);
    expect(validation.body.perRepeatPurchases.map((line: { x: string }) => line.x)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(validation.body.total.customers).toBe(2357);
    // Distinct purchase days after 1997-09-30 up to 1998-06-30, straight from the file.
    const days = new Set(
      readFileSync(CDNOW_FILE, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter(([, , date]) => date > '19970930' && date <= '19980630')
        .map(([, id, date]) => `${Number(id)}|${date}`),
    );
    expect(validation.body.total.actual).toBe(days.size);
    // The model forecasts within 15 % in total, and more purchases for customers who bought more.
    within(validation.body.total.predicted, days.size, 0.15);
    const predicted = validation.body.perRepeatPurchases.map((line: { predicted: number }) => line.predicted);
    expect(predicted).toEqual([...predicted].sort((p: number, q: number) => p - q));
    expect(validation.body.perRepeatPurchases[0]).toMatchObject({ customers: 1411 });
  });
});
