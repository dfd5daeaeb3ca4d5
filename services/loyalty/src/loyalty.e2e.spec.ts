import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { fromRecordedLoyaltyEvent } from '@rapport/contracts';
import { ApiKeyStore, createLogger, type Role } from '@rapport/platform';
import { createLoyaltyApp } from './app';
import { LOYALTY, type Loyalty } from './loyalty';
import { orderPlaced, startLoyaltyKit, type LoyaltyKit } from './loyalty-test-kit';
import { defaultRuleBook } from './rules/rules';

describe('loyalty API', () => {
  let kit: LoyaltyKit;
  let app: NestFastifyApplication;
  let loyalty: Loyalty;
  let baseUrl: string;
  const keys = {} as Record<Role, string>;

  const call = async (method: string, path: string, role: Role, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys[role]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    // The kit only provides the database, store and clock here; the app runs its own loyalty service.
    kit = await startLoyaltyKit('loyalty_api', { now: '2011-01-01T00:00:00Z' });
    await kit.loyalty.stop();
    const apiKeys = new ApiKeyStore(kit.pool);
    await apiKeys.migrate();
    for (const role of ['emitter', 'analyst', 'support', 'admin'] as const) keys[role] = (await apiKeys.create({ role, name: `${role}-key` })).key;
    app = await createLoyaltyApp({
      store: kit.store,
      pool: kit.pool,
      apiKeys,
      rules: defaultRuleBook(),
      clock: kit.clock,
      schedulerIntervalMs: 0,
      logger: createLogger({ level: 'error', serviceName: 'loyalty' }),
    });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    loyalty = app.get<Loyalty>(LOYALTY);
    kit.loyalty = loyalty;

    await kit.emit([orderPlaced('c-api', '536365', '2010-12-01T09:00:00Z', 30_000), orderPlaced('c-api', '536366', '2010-12-02T09:00:00Z', 20_000)]);
    await loyalty.projections!.settled();
    await loyalty.scheduler.runDue();
    await loyalty.projections!.settled();
  });

  afterAll(async () => {
    await app.close();
    await kit.close();
  });

  it('answers balances now and as of a past instant, from the events', async () => {
    const now = await call('GET', '/v1/customers/c-api/loyalty', 'support');
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ available: 550, pending: 0, lifetimeEarned: 550, tier: 'Silver', nextTier: { name: 'Gold', pointsToGo: 1450 } });
    const before = await call('GET', '/v1/customers/c-api/loyalty?asOf=2010-12-01T12:00:00Z', 'analyst');
    expect(before.body).toMatchObject({ available: 0, pending: 350, tier: 'Bronze', asOf: '2010-12-01T12:00:00.000Z' });
  });

  it('fires 50 simultaneous redemptions at one account: no overspend, every answer 201 or 409, exactly the successes recorded', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, n) => call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', { points: 20, reason: 'voucher', idempotencyKey: `burst-${n}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const succeeded = statuses.filter((status) => status === 201).length;
    expect(succeeded).toBe(27);
    const refused = answers.find((answer) => answer.status === 409)!;
    expect(refused.type).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 409, available: 10, requested: 20 });
    const redeemed = (await kit.store.readStream('loyalty-c-api')).filter((event) => event.type === 'PointsRedeemed');
    expect(redeemed).toHaveLength(succeeded);
    expect(new Set(redeemed.map((event) => (event.data as { idempotencyKey: string }).idempotencyKey))).toEqual(
      new Set(answers.flatMap((answer, n) => (answer.status === 201 ? [`burst-${n}`] : []))),
    );
    expect((await call('GET', '/v1/customers/c-api/loyalty', 'support')).body.available).toBe(10);
  });

  it('redeems once per idempotency key and returns the first answer; another body with the key is refused', async () => {
    const first = await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', { points: 5, reason: 'mug', idempotencyKey: 'once' });
    const again = await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', { points: 5, reason: 'mug', idempotencyKey: 'once' });
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    const other = await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', { points: 4, reason: 'mug', idempotencyKey: 'once' });
    expect(other).toMatchObject({ status: 409, body: { detail: "Idempotency key 'once' was already used for a different request." } });
    expect((await call('GET', '/v1/customers/c-api/loyalty', 'support')).body.available).toBe(5);
  });

  it('lets admins adjust with a reason, and nobody else', async () => {
    expect((await call('POST', '/v1/customers/c-api/loyalty/adjustments', 'support', { points: 100, reason: 'x', idempotencyKey: 'a1' })).status).toBe(403);
    const added = await call('POST', '/v1/customers/c-api/loyalty/adjustments', 'admin', { points: 100, reason: 'Missing store purchase', idempotencyKey: 'a1' });
    expect(added).toMatchObject({ status: 201, body: { points: 100, reason: 'Missing store purchase' } });
    expect((await call('GET', '/v1/customers/c-api/loyalty', 'support')).body.available).toBe(105);
  });

  it('records who redeemed and who adjusted as the event actor', async () => {
    const events = (await kit.store.readStream('loyalty-c-api')).filter((event) => event.type === 'PointsRedeemed' || event.type === 'PointsAdjusted');
    const actors = new Set(events.map((event) => fromRecordedLoyaltyEvent(event)).map((event) => `${event.type} ${event.actor?.name}`));
    expect(actors).toEqual(new Set(['PointsRedeemed support-key', 'PointsAdjusted admin-key']));
  });

  it('lists every movement with reason, rule, rules version and source, page by page', async () => {
    await loyalty.projections!.settled();
    const first = await call('GET', '/v1/customers/c-api/loyalty/ledger?limit=3', 'support');
    expect(first.body.entries.map((entry: { type: string }) => entry.type)).toEqual(['PointsEarned', 'PointsEarned', 'PointsEarned']);
    expect(first.body.entries[0]).toMatchObject({ points: 300, pendingDelta: 300, rulesVersion: 'test-1', rule: 'earn.order 1/GBP', orderId: '536365' });
    const rest = await call('GET', `/v1/customers/c-api/loyalty/ledger?limit=500&cursor=${first.body.nextCursor}`, 'support');
    const all = [...first.body.entries, ...rest.body.entries];
    expect(rest.body.nextCursor).toBeNull();
    expect(all.at(-1)).toMatchObject({ type: 'PointsAdjusted', availableAfter: 105, pendingAfter: 0 });
  });

  it('summarises tiers, liability and months for analysts', async () => {
    const summary = await call('GET', '/v1/loyalty/summary?from=2010-12-01T00:00:00Z&to=2010-12-31T00:00:00Z', 'analyst');
    expect(summary.body).toMatchObject({ membersPerTier: { Bronze: 0, Silver: 1, Gold: 0, Platinum: 0 }, members: 1, liability: { available: 550, pending: 0, total: 550 } });
    expect(summary.body.months).toEqual([{ month: '2010-12', earned: 550, redeemed: 0, expired: 0, reversed: 0, adjusted: 0 }]);
    expect((await call('GET', '/v1/loyalty/summary', 'support')).status).toBe(403);
  });

  it('replays facts, redemptions and adjustments under both rules into a scratch schema, writing nothing live, and names bad rules by path', async () => {
    const liveTables = ['loyalty.accounts', 'loyalty.lots', 'loyalty.ledger', 'loyalty_processor.accounts', 'loyalty_processor.answered', 'rapport_events.events'];
    const fingerprint = async () =>
      Promise.all(liveTables.map(async (table) => (await kit.pool.query(`SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS hash FROM ${table} t`)).rows[0]));
    const scratchSchemas = async () => (await kit.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'loyalty_sim_%'`)).rows.map((row) => row.nspname);
    await loyalty.projections!.settled();
    const before = await fingerprint();
    const candidate = 'versions:\n  - { version: half, effectiveFrom: "2000-01-01T00:00:00Z", pointsPerUnit: 0.5 }\n';
    const report = await call('POST', '/v1/loyalty/simulations', 'admin', { rules: candidate });
    expect(report.status).toBe(200);
    // Live: 550 earned, 27 × 20 + 5 redeemed, 100 adjusted. Candidate: 300 earned cover 15 of the 20-point redemptions; 12 of them and the 5 are short.
    expect(report.body).toMatchObject({
      facts: 2,
      commands: 29,
      customers: 1,
      live: { liability: { total: 105 }, tiers: { Silver: 1 }, earned: 550, redeemed: 545, adjusted: 100, shortfall: { count: 0, points: 0 } },
      candidate: { liability: { total: 100 }, tiers: { Bronze: 1 }, earned: 300, redeemed: 300, adjusted: 100, shortfall: { count: 13, points: 245 } },
      difference: { liability: -5, tiers: { Silver: -1, Bronze: 1 } },
      tierChanges: [{ customerId: 'c-api', live: 'Silver', candidate: 'Bronze' }],
      schema: null,
    });
    const summary = await call('GET', `/v1/loyalty/summary?to=${encodeURIComponent(report.body.to)}`, 'admin');
    expect(report.body.live.liability).toEqual(summary.body.liability);
    expect(await fingerprint()).toEqual(before);
    expect(await scratchSchemas()).toEqual([]);

    const kept = await call('POST', '/v1/loyalty/simulations', 'admin', { rules: candidate, keep: true });
    expect(kept.body.schema).toMatch(/^loyalty_sim_[0-9a-f]{8}$/);
    expect(await scratchSchemas()).toEqual([kept.body.schema]);
    const outcomes = await kit.pool.query(`SELECT side, available, redeemed, shortfall_count, tier FROM ${kept.body.schema}.outcomes ORDER BY side`);
    expect(outcomes.rows).toEqual([
      { side: 'candidate', available: '100', redeemed: '300', shortfall_count: 13, tier: 'Bronze' },
      { side: 'live', available: '105', redeemed: '545', shortfall_count: 0, tier: 'Silver' },
    ]);
    const ledger = await kit.pool.query(`SELECT side, type, sum(points) AS points FROM ${kept.body.schema}.ledger WHERE type IN ('PointsEarned', 'PointsRedeemed') GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(ledger.rows).toEqual([
      { side: 'candidate', type: 'PointsEarned', points: '300' },
      { side: 'candidate', type: 'PointsRedeemed', points: '300' },
      { side: 'live', type: 'PointsEarned', points: '550' },
      { side: 'live', type: 'PointsRedeemed', points: '545' },
    ]);
    expect(Number((await kit.pool.query(`SELECT count(*) FROM ${kept.body.schema}.shortfalls WHERE side = 'candidate'`)).rows[0].count)).toBe(13);
    await kit.pool.query(`DROP SCHEMA ${kept.body.schema} CASCADE`);
    expect(await fingerprint()).toEqual(before);

    const bad = await call('POST', '/v1/loyalty/simulations', 'admin', { rules: 'versions:\n  - { version: x, effectiveFrom: "2000-01-01T00:00:00Z", pendingDays: -1 }\n' });
    expect(bad).toMatchObject({ status: 400, body: { errors: [{ path: 'versions.0.pendingDays' }] } });
    expect(await call('POST', '/v1/loyalty/simulations', 'admin', { rules: candidate, keep: 'yes' })).toMatchObject({ status: 400, body: { errors: [{ path: 'keep' }] } });
    expect(await scratchSchemas()).toEqual([]);
    expect((await call('POST', '/v1/loyalty/simulations', 'analyst', { rules: candidate })).status).toBe(403);
  });

  it.each([
    ['negative points', { points: -5, reason: 'x', idempotencyKey: 'b1' }, 400, 'points', 'must be at least 1'],
    ['non-integer points', { points: 2.5, reason: 'x', idempotencyKey: 'b2' }, 400, 'points', 'must be a whole number of points'],
    ['huge points', { points: 1e12, reason: 'x', idempotencyKey: 'b3' }, 400, 'points', 'must be at most 1000000000'],
    ['points as a string', { points: '5', reason: 'x', idempotencyKey: 'b4' }, 400, 'points', 'must be a number'],
    ['a missing key', { points: 5, reason: 'x' }, 400, 'idempotencyKey', 'required'],
    ['an unknown field', { points: 5, reason: 'x', idempotencyKey: 'b5', extra: 1 }, 400, 'extra', 'unknown field'],
  ])('refuses a redemption with %s', async (_what, body, status, path, message) => {
    const answer = await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', body);
    expect(answer).toMatchObject({ status, body: { errors: [{ path, message }] } });
  });

  it('answers unknown customers, bad instants and malformed bodies with 4xx problems', async () => {
    expect(await call('GET', '/v1/customers/nobody/loyalty', 'support')).toMatchObject({ status: 404, body: { detail: "Customer 'nobody' has no loyalty account." } });
    expect((await call('POST', '/v1/customers/nobody/loyalty/redemptions', 'support', { points: 1, reason: 'x', idempotencyKey: 'n1' })).status).toBe(404);
    expect(await call('GET', '/v1/customers/c-api/loyalty?asOf=yesterday', 'support')).toMatchObject({ status: 400, body: { errors: [{ path: 'asOf' }] } });
    expect((await call('GET', '/v1/customers/c-api/loyalty?asOf=2011-02-30T00:00:00Z', 'support')).status).toBe(400);
    expect((await call('GET', '/v1/customers/c-api/loyalty/ledger?cursor=abc', 'support')).status).toBe(400);
    expect((await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', '{"points":')).status).toBe(400);
    expect((await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', [1, 2])).status).toBe(400);
    expect((await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'analyst', { points: 1, reason: 'x', idempotencyKey: 'r' })).status).toBe(403);
  });

  it('decides a command on the stream, not on the fold it held since the last command, once another writer moved it on', async () => {
    expect((await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', { points: 100, reason: 'voucher', idempotencyKey: 'held-1' })).status).toBe(201);
    // The processor earns on an order meanwhile (375 points at Silver, available by now); the held fold has 5 points.
    await kit.emit([orderPlaced('c-api', '536999', '2010-12-05T09:00:00Z', 30_000)]);
    await loyalty.projections!.settled();
    const answer = await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', { points: 300, reason: 'voucher', idempotencyKey: 'held-2' });
    expect(answer).toMatchObject({ status: 201, body: { points: 300 } });
    await loyalty.projections!.settled();
    expect((await call('GET', '/v1/customers/c-api/loyalty', 'support')).body.available).toBe(80);
    expect((await call('POST', '/v1/customers/c-api/loyalty/redemptions', 'support', { points: 81, reason: 'voucher', idempotencyKey: 'held-3' })).body).toMatchObject({ status: 409, available: 80 });
  });
});
