import { loyaltyCatalogue } from '@rapport/contracts';
import { IdempotencyKeyReusedError, InsufficientPointsError } from '../errors';
import { defaultRuleBook, parseRules } from '../rules/rules';
import { decideFact, nextDueAt } from './decide';
import { AccountSpec, adjust, brief, cancelled, feedback, goodwill, order, redeem, returned, tick } from './decider.fixture';
import { availablePoints, initialState } from './state';

const rules = defaultRuleBook();
const account = (book = rules) => new AccountSpec(book);
const D = (day: string) => `${day}T10:00:00.000Z`;

describe('earning', () => {
  it('given no history, when an order of £139.12 is placed, then 139 points and the first-order bonus are pending for 14 days', () => {
    const events = account().when(order('536365', D('2010-12-01'), 13912));
    expect(brief(events)).toEqual([
      ['PointsEarned', '2010-12-01', 139],
      ['PointsEarned', '2010-12-01', 50],
    ]);
    expect(events[0].data).toMatchObject({ reason: 'order', orderId: '536365', baseValue: 13912, pendingUntil: D('2010-12-15'), qualifying: true, rulesVersion: 'test-1' });
    expect(events[1].data).toMatchObject({ reason: 'first_order', pendingUntil: D('2010-12-15') });
  });

  it('given a first order, when a second is placed, then it gets no bonus', () => {
    expect(brief(account().given(order('1', D('2010-12-01'), 1000)).when(order('2', D('2010-12-02'), 2000)))).toEqual([['PointsEarned', '2010-12-02', 20]]);
  });

  it('given a Silver member, when an order is placed, then the tier multiplier applies', () => {
    const spec = account().given(order('1', D('2010-01-01'), 50_000));
    expect(spec.view(D('2010-01-02')).tier).toBe('Silver');
    expect(brief(spec.when(order('2', D('2010-01-05'), 10_000)))).toEqual([['PointsEarned', '2010-01-05', 125]]);
  });

  it('applies SKU multipliers to their lines and campaign multipliers within their dates only', () => {
    const book = defaultRuleBook({ firstOrderBonus: 0, skuMultipliers: { POST: 0, STAR: 3 }, campaigns: [{ name: 'xmas', from: D('2010-12-01'), to: D('2010-12-25'), multiplier: 2 }] });
    const lines = [{ sku: 'A', quantity: 2, unitPrice: 1000 }, { sku: 'POST', quantity: 1, unitPrice: 1000 }, { sku: 'STAR', quantity: 1, unitPrice: 500 }];
    // 3,500 total - 1,000 postage + 2 × 500 extra for STAR = 3,500 → 35 points; ×2 in the campaign.
    expect(brief(account(book).when(order('1', D('2010-11-30'), 3500, { lines })))).toEqual([['PointsEarned', '2010-11-30', 35]]);
    expect(brief(account(book).when(order('1', D('2010-12-10'), 3500, { lines })))).toEqual([['PointsEarned', '2010-12-10', 70]]);
  });

  it('converts other currencies by the rate table and skips those without a rate, with a reason', () => {
    const book = defaultRuleBook({ firstOrderBonus: 0, currencyRates: { EUR: 0.85 } });
    expect(brief(account(book).when(order('1', D('2011-01-01'), 10_000, { currency: 'EUR' })))).toEqual([['PointsEarned', '2011-01-01', 85]]);
    const skipped = account(book).decision(order('2', D('2011-01-01'), 10_000, { currency: 'JPY' }));
    expect(skipped).toEqual({ events: [], skipped: 'no rate for JPY in rules test-1' });
  });

  it('given a fact already answered, when it is processed again, then nothing more is earned, and ids are derived from it', () => {
    const fact = order('1', D('2011-01-01'), 10_000);
    const first = decideFact(initialState(), fact, rules, 'c-1');
    expect(decideFact(initialState(), fact, rules, 'c-1').events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    const spec = account().given(fact);
    expect(spec.decision(fact)).toEqual({ events: [], skipped: 'already answered' });
    expect(spec.view(D('2011-01-02')).lifetimeEarned).toBe(150);
  });

  it('rewards feedback on an order once, and goodwill compensation at once', () => {
    const spec = account().given(order('1', D('2011-01-01'), 1000));
    expect(brief(spec.when(feedback('1', D('2011-01-03'))))).toEqual([['PointsEarned', '2011-01-03', 10], ['PointsBecameAvailable', '2011-01-03', 10]]);
    expect(spec.decision(feedback('1', D('2011-01-04')))).toEqual({ events: [], skipped: 'feedback on order #1 was already rewarded' });
    expect(brief(spec.when(goodwill(200, D('2011-01-05'))))).toEqual([['PointsEarned', '2011-01-05', 200], ['PointsBecameAvailable', '2011-01-05', 200]]);
    expect(spec.view(D('2011-01-05'))).toMatchObject({ available: 210, pending: 60 });
  });
});

describe('pending, available, expiry', () => {
  it('given a pending lot, when its return window ends, then it becomes available, and expires 12 months later', () => {
    const spec = account().given(order('1', D('2011-01-01'), 10_000));
    expect(brief(spec.when(tick(D('2011-01-15'))))).toEqual([['PointsBecameAvailable', '2011-01-15', 100], ['PointsBecameAvailable', '2011-01-15', 50]]);
    expect(spec.view(D('2011-01-15'))).toMatchObject({ available: 150, pending: 0 });
    expect(spec.view(D('2011-12-20')).expiringSoon).toMatchObject({ points: 150, withinDays: 30 });
    expect(spec.view(D('2011-12-10')).expiringSoon.points).toBe(0);
    expect(brief(spec.when(tick(D('2013-01-01'))))).toEqual([['PointsExpired', '2012-01-15', 100], ['PointsExpired', '2012-01-15', 50]]);
    expect(availablePoints(spec.state)).toBe(0);
  });

  it('given a cancelled order while pending, then its lots are voided and never become available', () => {
    const spec = account().given(order('1', D('2011-01-01'), 10_000));
    const events = spec.when(cancelled('1', D('2011-01-05')));
    expect(brief(events)).toEqual([['PointsReversed', '2011-01-05', 150]]);
    expect(events[0].data).toMatchObject({ reason: 'order_cancelled', debt: 0, shortfall: 0 });
    expect(spec.when(tick(D('2011-02-01')))).toEqual([]);
    expect(spec.view(D('2011-02-01'))).toMatchObject({ available: 0, pending: 0, qualifyingPoints: 0 });
  });

  it('redeems and expires lots oldest first across many lots (FIFO)', () => {
    const book = defaultRuleBook({ firstOrderBonus: 0 });
    const spec = account(book).given(
      order('1', D('2011-01-01'), 10_000),
      order('2', D('2011-02-01'), 20_000),
      order('3', D('2011-03-01'), 30_000),
      order('4', D('2011-04-01'), 10_000),
      tick(D('2011-05-01')),
    );
    const redemption = spec.when(redeem(250, D('2011-05-02')));
    expect(redemption[0].data).toMatchObject({ consumed: [{ points: 100 }, { points: 150 }] });
    // Order 4 came after the Silver upgrade: 100 × 1.25.
    expect(brief(spec.when(tick(D('2012-05-01'))).filter((e) => e.type === 'PointsExpired'))).toEqual([
      ['PointsExpired', '2012-02-15', 50],
      ['PointsExpired', '2012-03-15', 300],
      ['PointsExpired', '2012-04-15', 125],
    ]);
  });

  it('never spends from a lot that expired before the redemption', () => {
    const spec = account(defaultRuleBook({ firstOrderBonus: 0 })).given(order('1', D('2011-01-01'), 10_000));
    expect(() => spec.when(redeem(10, D('2012-02-01')))).toThrow(new InsufficientPointsError(0, 10));
  });
});

describe('returns and negative balances', () => {
  const bonusless = (negativeBalance: 'allow' | 'clamp') => defaultRuleBook({ firstOrderBonus: 0, negativeBalance });

  it('given a partial redemption, when part of the order is returned, then the claw-back takes that lot first, then the oldest others', () => {
    const spec = account(bonusless('allow')).given(
      order('A', D('2011-01-01'), 10_000),
      order('B', D('2011-01-02'), 10_000),
      tick(D('2011-01-20')),
      redeem(80, D('2011-01-21')),
    );
    const events = spec.when(returned('B', D('2011-01-22'), 5_000));
    // Half of B's 100 points: B's lot still holds all 100 (FIFO spent from A).
    expect(events[0].data).toMatchObject({ reason: 'order_returned', points: 50, debt: 0, shortfall: 0, refundAmount: 5000, orderValue: 10_000 });
    expect(spec.view(D('2011-01-22')).available).toBe(70);
    const fromA = spec.when(returned('A', D('2011-01-23'), 10_000));
    // A's lot has 20 left; the other 80 come from B's lot.
    expect((fromA[0].data as { consumed: { points: number }[] }).consumed.map((share) => share.points)).toEqual([20, 50]);
    expect(fromA[0].data).toMatchObject({ points: 100, debt: 30 });
    expect(spec.view(D('2011-01-23')).available).toBe(-30);
  });

  it('in mode allow, goes negative and pays the debt back from the next lot that becomes available', () => {
    const spec = account(bonusless('allow')).given(order('A', D('2011-01-01'), 10_000), tick(D('2011-01-20')), redeem(100, D('2011-01-21')), returned('A', D('2011-01-22'), 10_000));
    expect(spec.view(D('2011-01-22')).available).toBe(-100);
    const events = spec.given(order('B', D('2011-02-01'), 30_000)).when(tick(D('2011-02-20')));
    expect(events[0].data).toMatchObject({ points: 300, appliedToDebt: 100 });
    expect(spec.view(D('2011-02-20')).available).toBe(200);
  });

  it('in mode clamp, stops at zero and records the shortfall', () => {
    const spec = account(bonusless('clamp')).given(order('A', D('2011-01-01'), 10_000), tick(D('2011-01-20')), redeem(100, D('2011-01-21')));
    expect(spec.when(returned('A', D('2011-01-22'), 10_000))[0].data).toMatchObject({ points: 100, consumed: [], debt: 0, shortfall: 100 });
    expect(spec.view(D('2011-01-22')).available).toBe(0);
  });

  it('takes a return that names no known order at the base rate from the oldest lots, then as debt', () => {
    const spec = account(bonusless('allow')).given(order('A', D('2011-01-01'), 10_000), tick(D('2011-01-20')));
    const events = spec.when(returned('C999', D('2011-01-22'), 15_000));
    expect(events[0].data).toMatchObject({ orderId: 'C999', points: 150, debt: 50, rule: 'reverse.return of an unknown order at the base rate, negative balance allow' });
    expect(spec.view(D('2011-01-22')).available).toBe(-50);
  });

  it('never reverses more than the order earned, however many returns', () => {
    const spec = account(bonusless('allow')).given(order('A', D('2011-01-01'), 10_000), returned('A', D('2011-01-02'), 8_000));
    expect(brief(spec.when(returned('A', D('2011-01-03'), 8_000)))).toEqual([['PointsReversed', '2011-01-03', 20]]);
    expect(spec.decision(returned('A', D('2011-01-04'), 1_000)).skipped).toBe('the refund on order #A reverses no points');
  });
});

describe('tiers', () => {
  const book = defaultRuleBook({ firstOrderBonus: 0 });

  it('upgrades at once on reaching a threshold, not a point before', () => {
    const spec = account(book).given(order('1', D('2011-01-01'), 49_900));
    expect(spec.view(D('2011-01-01'))).toMatchObject({ tier: 'Bronze', nextTier: { name: 'Silver', pointsToGo: 1 } });
    const events = spec.when(order('2', D('2011-02-01'), 100)).filter((e) => e.type !== 'PointsBecameAvailable');
    expect(brief(events)).toEqual([['PointsEarned', '2011-02-01', 1], ['TierChanged', '2011-02-01', 'Silver']]);
    expect(events[1].data).toMatchObject({ from: 'Bronze', direction: 'up', qualifyingPoints: 500, reviewAt: D('2012-02-01') });
  });

  it('skips tiers when one order crosses several thresholds', () => {
    expect(brief(account(book).when(order('1', D('2011-01-01'), 500_000))).at(-1)).toEqual(['TierChanged', '2011-01-01', 'Platinum']);
  });

  it('keeps the tier at review while the threshold is met in the last 12 months', () => {
    const spec = account(book).given(order('1', D('2011-01-01'), 50_000), order('2', D('2011-12-01'), 50_000));
    expect(spec.when(tick(D('2012-01-01'))).filter((e) => e.type === 'TierChanged')).toEqual([]);
    expect(spec.view(D('2012-01-02')).tier).toBe('Silver');
  });

  it('downgrades only when the tier\'s 12 months are over and the threshold is no longer met', () => {
    const spec = account(book).given(order('1', D('2011-01-01'), 50_000), order('2', D('2011-06-01'), 10_000));
    const untilReview = spec.when(tick(D('2011-12-31')));
    expect(untilReview.some((event) => event.type === 'TierChanged')).toBe(false);
    const events = spec.when(tick(D('2012-02-01'))).filter((event) => event.type === 'TierChanged');
    expect(brief(events)).toEqual([['TierChanged', '2012-01-01', 'Bronze']]);
    // At the review, only the June order (100 × 1.25 as Silver) is inside the window.
    expect(events[0].data).toMatchObject({ from: 'Silver', direction: 'down', qualifyingPoints: 125 });
  });

  it('downgrades at a later anniversary after a year in which the tier was kept', () => {
    const spec = account(book).given(order('1', D('2011-01-01'), 50_000), order('2', D('2011-12-01'), 50_000), tick(D('2012-01-02')));
    const events = spec.when(tick(D('2014-01-01'))).filter((event) => event.type === 'TierChanged');
    expect(brief(events)).toEqual([['TierChanged', '2013-01-01', 'Bronze']]);
    expect(nextDueAt(spec.state, book, D('2014-01-01'))).toBeUndefined();
  });

  it('counts reversals against the window', () => {
    const spec = account(book).given(order('1', D('2011-01-01'), 50_000));
    expect(brief(spec.given(returned('1', D('2011-01-05'), 10_000)).when(tick(D('2012-01-02'))).filter((e) => e.type === 'TierChanged'))).toEqual([
      ['TierChanged', '2012-01-01', 'Bronze'],
    ]);
  });
});

describe('rules change mid-history', () => {
  const book = parseRules(`
versions:
  - { version: v1, effectiveFrom: "2000-01-01T00:00:00Z", firstOrderBonus: 0 }
  - { version: v2, effectiveFrom: "2011-03-01T00:00:00Z", pointsPerUnit: 2, pendingDays: 30, expiryMonths: 6 }
`);

  it('decides each movement by the version in force at its instant and never revisits earlier ones', () => {
    const spec = account(book);
    const before = spec.when(order('1', D('2011-02-20'), 10_000));
    expect(before[0].data).toMatchObject({ points: 100, pendingUntil: D('2011-03-06'), rulesVersion: 'v1' });
    const after = spec.when(order('2', D('2011-03-02'), 10_000));
    expect(after[0].data).toMatchObject({ points: 200, pendingUntil: D('2011-04-01'), rulesVersion: 'v2' });
    // The first lot became available under v2, so it expires 6 months later.
    const available = spec.when(tick(D('2011-04-02')));
    expect(available.map((e) => [e.data.rulesVersion, (e.data as { expiresAt: string }).expiresAt])).toEqual([
      ['v2', D('2011-09-06')],
      ['v2', D('2011-10-01')],
    ]);
    expect(spec.history.filter((e) => e.type === 'PointsEarned').map((e) => e.data.rulesVersion)).toEqual(['v1', 'v2']);
  });
});

describe('redemptions and adjustments', () => {
  const funded = () => account(defaultRuleBook({ firstOrderBonus: 0 })).given(order('1', D('2011-01-01'), 10_000), tick(D('2011-01-20')));

  it('refuses to overspend and says what is available', () => {
    expect(() => funded().when(redeem(101, D('2011-01-21')))).toThrow(new InsufficientPointsError(100, 101));
  });

  it('answers a replayed idempotency key with the first answer, and refuses it with a different request', () => {
    const spec = funded();
    const first = spec.decision(redeem(60, D('2011-01-21'), 'k1'));
    const again = spec.decision(redeem(60, D('2011-01-22'), 'k1'));
    expect(again).toEqual({ events: [], answer: { ...first.answer, replayed: true } });
    expect(() => spec.when(redeem(61, D('2011-01-22'), 'k1'))).toThrow(IdempotencyKeyReusedError);
    expect(spec.view(D('2011-01-22')).available).toBe(40);
  });

  it('adds an available lot for a positive adjustment and takes FIFO for a negative one', () => {
    const spec = funded();
    expect(spec.when(adjust(25, D('2011-01-21')))[0].data).toMatchObject({ points: 25, expiresAt: D('2012-01-21') });
    expect(spec.when(adjust(-110, D('2011-01-22')))[0].data).toMatchObject({ points: -110, consumed: [{ points: 100 }, { points: 10 }] });
    expect(() => spec.when(adjust(-16, D('2011-01-23')))).toThrow(new InsufficientPointsError(15, 16));
  });
});

describe('instants at the end of the supported range', () => {
  it('given an order in the last days of 9999, then its due instants are held at the last supported instant, and every event is storable', () => {
    const spec = account();
    spec.given(order('late', '9999-12-25T10:00:00.000Z', 10_000), tick('9999-12-31T23:59:59.000Z'));
    expect(spec.history[0].data).toMatchObject({ pendingUntil: '9999-12-31T23:59:59.000Z' });
    expect(spec.history.map((event) => event.type)).toContain('PointsBecameAvailable');
    for (const event of spec.history) {
      const parsed = loyaltyCatalogue.parseEvent({ id: event.id, type: event.type, version: 1, customerId: 'c-1', occurredAt: event.occurredAt, source: 'loyalty', data: event.data });
      expect(parsed).toMatchObject({ ok: true });
    }
  });
});
