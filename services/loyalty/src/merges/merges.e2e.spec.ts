import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MERGES_STREAM, toStoredEvent, type Envelope } from '@rapport/contracts';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { createLoyaltyApp } from '../app';
import { LOYALTY, type Loyalty } from '../loyalty';
import { orderPlaced, startLoyaltyKit, type LoyaltyKit } from '../loyalty-test-kit';
import { defaultRuleBook } from '../rules/rules';

describe('loyalty follows merges and unmerges', () => {
  let kit: LoyaltyKit;
  let app: NestFastifyApplication;
  let loyalty: Loyalty;
  let baseUrl: string;
  let key: string;
  let decisions = 0;

  const get = async (path: string, redirect: 'follow' | 'manual' = 'follow') => {
    const response = await fetch(`${baseUrl}${path}`, { redirect, headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, location: response.headers.get('location'), body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    kit = await startLoyaltyKit('loyalty_merges', { now: '2011-01-01T00:00:00Z' });
    await kit.loyalty.stop();
    const apiKeys = new ApiKeyStore(kit.pool);
    await apiKeys.migrate();
    key = (await apiKeys.create({ role: 'support', name: 'support-key' })).key;
    app = await createLoyaltyApp({
      store: kit.store, pool: kit.pool, apiKeys, rules: defaultRuleBook(), clock: kit.clock, schedulerIntervalMs: 0,
      logger: createLogger({ level: 'error', serviceName: 'loyalty' }),
    });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    loyalty = app.get<Loyalty>(LOYALTY);
    kit.loyalty = loyalty;
    // Each account alone stays Bronze; together their points pass Silver's threshold (500).
    await kit.emit([
      orderPlaced('main-l', 'lm-1', '2010-11-01T09:00:00Z', 30_000),
      orderPlaced('dup-l', 'ld-1', '2010-11-02T09:00:00Z', 20_000),
      orderPlaced('dup-l', 'ld-2', '2010-11-03T09:00:00Z', 5_000),
    ]);
    await settle();
  });

  afterAll(async () => {
    await app?.close();
    await kit?.close();
  });

  async function settle(): Promise<void> {
    await loyalty.projections!.settled();
    await loyalty.scheduler.runDue();
    await loyalty.projections!.settled();
  }

  async function decide(type: 'CustomersMerged' | 'CustomersUnmerged', data: unknown): Promise<void> {
    const envelope = { id: `40000000-0000-4000-8000-${String(++decisions).padStart(12, '0')}`, type, version: 1, customerId: 'dup-l', occurredAt: '2011-01-01T00:00:00Z', source: 'rapport-identity', data };
    await kit.store.append(MERGES_STREAM, [toStoredEvent(envelope as Envelope<string, unknown>, '2011-01-01T00:00:00Z')]);
    await settle();
  }

  const readModels = async (customerId: string) => ({
    account: (await get(`/v1/customers/${customerId}/loyalty`)).body,
    ledger: (await get(`/v1/customers/${customerId}/loyalty/ledger?limit=200`)).body,
  });

  it("shows the survivor both accounts' lots and ledger, redirects the merged account, and an unmerge gives back both as they were", async () => {
    const before = { main: await readModels('main-l'), dup: await readModels('dup-l') };
    // 1 point a pound and a first-order bonus each: 300 + 50, and 200 + 50 + 50.
    expect(before.main.account).toMatchObject({ available: 350, lifetimeEarned: 350, tier: 'Bronze' });
    expect(before.dup.account).toMatchObject({ available: 300, lifetimeEarned: 300, tier: 'Bronze' });

    await decide('CustomersMerged', { into: 'main-l', reason: 'same person' });
    const survivor = await readModels('main-l');
    expect(survivor.account).toMatchObject({ customerId: 'main-l', available: 650, lifetimeEarned: 650 });
    // Neither account reached Silver (500) alone; together they do.
    expect(survivor.account).toMatchObject({ tier: 'Silver', nextTier: { name: 'Gold' } });
    expect(survivor.ledger.entries.map((entry: any) => entry.availableAfter).slice(-1)).toEqual([650]);
    expect(survivor.ledger.entries).toHaveLength(before.main.ledger.entries.length + before.dup.ledger.entries.length);
    const redirect = await get('/v1/customers/dup-l/loyalty?asOf=2010-12-01T00:00:00Z', 'manual');
    expect([redirect.status, redirect.location, redirect.body.mergedInto]).toEqual([307, '/v1/customers/main-l/loyalty?asOf=2010-12-01T00%3A00%3A00Z', 'main-l']);

    await decide('CustomersUnmerged', { from: 'main-l' });
    expect({ main: await readModels('main-l'), dup: await readModels('dup-l') }).toEqual(before);
  });
});
