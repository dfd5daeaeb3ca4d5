import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MERGES_STREAM, toStoredEvent, type Envelope } from '@rapport/contracts';
import { ApiKeyStore, createLogger, type Role } from '@rapport/platform';
import { createSegmentsApp } from './app';
import { csvField } from './api/queries';
import { SEGMENTS, type Segments } from './segments';
import { orderPlaced, profilingConsent, registered, startSegmentsKit, type SegmentsKit } from './segments-test-kit';

jest.setTimeout(120_000);

const T1 = '2011-03-02T00:00:00.000Z';
const T2 = '2011-12-01T00:00:00.000Z';

describe('segments API', () => {
  let kit: SegmentsKit;
  let app: NestFastifyApplication;
  let segments: Segments;
  let baseUrl: string;
  const keys = {} as Record<Role, string>;

  const call = async (method: string, path: string, role: Role, body?: unknown, accept = 'application/json') => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys[role]}`, accept, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), text, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as Record<string, any> };
  };

  beforeAll(async () => {
    kit = await startSegmentsKit('segments_api');
    await kit.segments.stop();
    const apiKeys = new ApiKeyStore(kit.pool);
    await apiKeys.migrate();
    for (const role of ['emitter', 'analyst', 'support', 'admin'] as const) keys[role] = (await apiKeys.create({ role, name: `${role}-key` })).key;
    app = await createSegmentsApp({ store: kit.store, pool: kit.pool, apiKeys, batchSize: 500, logger: createLogger({ level: 'error', serviceName: 'segments' }) });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    segments = app.get<Segments>(SEGMENTS);
    kit.segments = segments;

    // Nine one-order customers and one valuable regular who stops buying after March.
    const facts = [registered('vip', '2010-12-01T00:00:00Z', '+447700900123')];
    const vipOrders = ['2011-01-05', '2011-01-20', '2011-02-05', '2011-02-12', '2011-02-20', '2011-03-01'];
    vipOrders.forEach((day, n) => facts.push(orderPlaced('vip', `vip-${n + 1}`, `${day}T10:00:00Z`, 50_000)));
    for (let c = 1; c <= 9; c++) {
      facts.push(registered(`c${c}`, '2010-12-01T00:00:00Z'), orderPlaced(`c${c}`, `c${c}-1`, '2011-01-01T10:00:00Z', 1_000));
      facts.push(orderPlaced(`c${c}`, `c${c}-2`, '2011-11-20T10:00:00Z', 1_000));
    }
    facts.push(registered('private', '2010-12-01T00:00:00Z'), orderPlaced('private', 'p-1', '2011-01-01T10:00:00Z', 9_000), profilingConsent('private', '2011-01-02T00:00:00Z', false));
    await kit.emit(facts);
  });

  afterAll(async () => {
    await app.close();
    await Promise.all([kit.store.close(), kit.pool.end()]);
    await kit.database.drop();
  });

  it('recomputes on demand (admin only) and appends one segment change and one retention callback, even when recomputed again', async () => {
    expect((await call('POST', '/v1/segments/recomputes', 'analyst', { asOf: T1 })).status).toBe(403);
    const first = await call('POST', '/v1/segments/recomputes', 'admin', { asOf: T1 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ asOf: T1, customers: 11, scored: 10, excluded: 1, changes: { previousAsOf: null, changed: 0 } });
    const vipAtT1 = await call('GET', `/v1/customers/vip/segment?asOf=${T1}`, 'analyst');
    expect(vipAtT1.body).toMatchObject({ segment: 'champions', scores: { r: 5, f: 5, m: 5 }, flags: { topNetValueQuintile: true } });

    const second = await call('POST', '/v1/segments/recomputes', 'admin', { asOf: T2 });
    expect(second.body.changes).toMatchObject({ previousAsOf: T1, changed: 1, appended: 1, retentionCallbacks: 1 });
    const again = await call('POST', '/v1/segments/recomputes', 'admin', { asOf: T2 });
    expect(again.body.changes).toMatchObject({ changed: 1, appended: 0, retentionCallbacks: 0 });

    const decisions = await kit.store.readStream('segment-vip');
    expect(decisions.map((event) => [event.type, event.data])).toEqual([
      ['CustomerSegmentChanged', { from: 'champions', to: 'cant_lose', scores: { r: 1, f: 5, m: 5 }, asOf: T2, previousAsOf: T1 }],
    ]);
    const callbacks = (await kit.store.readStream('customer-vip')).filter((event) => event.type === 'CallbackRequested');
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0].data).toMatchObject({ reason: 'retention', phone: '+447700900123' });
  });

  it('answers the segment table, movements and members from the snapshot at or before asOf, and says which', async () => {
    const table = await call('GET', `/v1/segments?asOf=2011-12-05T00:00:00Z`, 'analyst');
    expect(table.status).toBe(200);
    expect(table.body).toMatchObject({ asOf: '2011-12-05T00:00:00.000Z', snapshotAsOf: T2, nearestEarlier: true, scored: 10, excluded: 1 });
    const cantLose = table.body.segments.find((line: { segment: string }) => line.segment === 'cant_lose');
    expect(cantLose).toEqual({ segment: 'cant_lose', customers: 1, share: 0.1, netSpend: 300_000, averageOrderValue: 50_000, averageRecencyDays: 274 });

    const moves = await call('GET', `/v1/segments/movements?from=${T1}&to=${T2}`, 'analyst');
    expect(moves.body.matrix.champions.cant_lose).toBe(1);
    expect(moves.body.moved).toBe(1);

    const page1 = await call('GET', `/v1/segments/hibernating/customers?asOf=${T2}&limit=4`, 'analyst');
    expect(page1.body.customers.map((c: { customerId: string }) => c.customerId)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(Object.keys(page1.body.customers[0]).sort()).toEqual(['clv', 'customerId', 'frequency', 'growing', 'monetary', 'negativeValue', 'netValue', 'pAlive', 'recencyDays', 'scores']);
    const page2 = await call('GET', `/v1/segments/hibernating/customers?asOf=${T2}&limit=4&cursor=${page1.body.nextCursor}`, 'analyst');
    expect(page2.body.customers.map((c: { customerId: string }) => c.customerId)).toEqual(['c5', 'c6', 'c7', 'c8']);

    const csv = await call('GET', `/v1/segments/hibernating/customers?asOf=${T2}`, 'analyst', undefined, 'text/csv');
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('customer_id,r,f,m,recency_days,frequency,monetary,net_value,growing,p_alive,clv');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9']);
  });

  it('explains a score and an exclusion by consent', async () => {
    await segments.projections.settled();
    const vip = await call('GET', `/v1/customers/vip/segment?asOf=${T2}`, 'analyst');
    expect(vip.body).toMatchObject({
      segment: 'cant_lose',
      measures: { recencyDays: 274, frequency: 6, monetary: 300_000 },
      explanation: { rule: { segment: 'cant_lose', pattern: '[1-2]5' }, scored: 10 },
    });
    expect(vip.body.explanation.formula).toContain('ceil(5 × rank / n)');
    // The live totals count the retention callback the move requested, before any recompute.
    expect(vip.body.live).toMatchObject({ orders: 6, netSpend: 300_000, callbacks: 1, lastOrderAt: '2011-03-01T10:00:00.000Z' });
    expect(vip.body.explanation.boundaries.r[0]).toEqual({ score: 1, lowest: 10, highest: 274 });
    const excluded = await call('GET', `/v1/customers/private/segment?asOf=${T2}`, 'analyst');
    expect(excluded.body).toMatchObject({ excluded: true, segment: null });
    expect(excluded.body.explanation.reason).toContain('profiling');
    const csv = await call('GET', `/v1/segments/prospect/customers?asOf=${T2}`, 'analyst', undefined, 'text/csv');
    expect(csv.text).not.toContain('private');
  });

  it('answers bad input with 4xx problems, never a 5xx', async () => {
    const cases: [string, number, string][] = [
      ['/v1/segments?asOf=yesterday', 400, 'asOf'],
      ['/v1/segments?asOf=2010-01-01T00:00:00Z', 404, ''],
      ['/v1/segments/vips/customers', 400, 'segment'],
      ['/v1/segments/loyal/customers?cursor=%%%', 400, 'cursor'],
      ['/v1/segments/loyal/customers?cursor=bm90LWpzb24', 400, 'cursor'],
      ['/v1/segments/loyal/customers?limit=1000000', 400, 'limit'],
      ['/v1/segments/loyal/customers?sort=name', 400, 'sort'],
      ['/v1/segments/movements?from=2011-12-01T00:00:00Z', 400, 'to'],
      ['/v1/segments/model/validation?calibrationEnd=2011-09-01T00:00:00Z&holdoutEnd=2011-01-01T00:00:00Z', 400, 'holdoutEnd'],
      ['/v1/customers/a%2Cb%22c/segment', 400, 'customerId'],
      ['/v1/customers/nobody/segment', 404, ''],
    ];
    for (const [path, status, field] of cases) {
      const answer = await call('GET', path, 'analyst');
      expect({ path, status: answer.status, type: answer.type }).toEqual({ path, status, type: expect.stringMatching(/application\/problem\+json/) });
      if (field) expect(JSON.stringify(answer.body)).toContain(field);
    }
    expect((await call('GET', '/v1/segments', 'support')).status).toBe(403);
  });

  it('quotes CSV fields with commas, quotes and line breaks', () => {
    expect([csvField('a,b'), csvField('say "hi"'), csvField('x\ny'), csvField('plain'), csvField(null)]).toEqual(['"a,b"', '"say ""hi"""', '"x\ny"', 'plain', '']);
  });

  // Last: the merge changes what later recomputes would score.
  it('answers a merged customer with a 307 to its survivor, whose segment counts both', async () => {
    const merge = { id: '50000000-0000-4000-8000-000000000001', type: 'CustomersMerged', version: 1, customerId: 'c9', occurredAt: T2, source: 'rapport-identity', data: { into: 'c8', reason: 'same person' } };
    await kit.store.append(MERGES_STREAM, [toStoredEvent(merge as Envelope<string, unknown>, T2)]);
    expect((await call('POST', '/v1/segments/recomputes', 'admin', { asOf: T2 })).status).toBe(201);
    const location = `/v1/customers/c8/segment?asOf=${encodeURIComponent(T2)}`;
    const response = await fetch(`${baseUrl}/v1/customers/c9/segment?asOf=${T2}`, { redirect: 'manual', headers: { authorization: `Bearer ${keys.analyst}` } });
    expect([response.status, response.headers.get('location'), await response.json()]).toEqual([307, location, { customerId: 'c9', mergedInto: 'c8', location }]);
    const survivor = await call('GET', `/v1/customers/c9/segment?asOf=${T2}`, 'analyst');
    expect(survivor.status).toBe(200);
    expect(survivor.body).toMatchObject({ customerId: 'c8', measures: { frequency: 4 } });
  });
});
