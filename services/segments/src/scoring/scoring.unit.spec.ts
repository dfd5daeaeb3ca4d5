import { quintileScores, rfmMeasures, scoreCustomers } from './rfm-scores';
import { SEGMENT_RULES, segmentOf } from './segment-map';
import { DEFAULT_GROWTH, growth, netValue } from './value-flags';

describe('quintileScores', () => {
  it('scores ceil(5 × rank / n) with rank = 1 + strictly worse values', () => {
    // Ten distinct values, higher better: ranks 1…10 → scores 1,1,2,2,3,3,4,4,5,5.
    expect(quintileScores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 'lower')).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // Recency: more days is worse, so the fewest days scores 5.
    expect(quintileScores([100, 90, 80, 70, 60, 50, 40, 30, 20, 10], 'higher')).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('gives equal values one score, from the rank of the first of them', () => {
    // Values 1,1,1,1,1,1,2,3,3,9 (n = 10): the six 1s have rank 1 → 1; 2 has rank 7 → 4; the 3s rank 8 → 4; 9 rank 10 → 5.
    expect(quintileScores([3, 1, 1, 9, 1, 2, 1, 3, 1, 1], 'lower')).toEqual([4, 1, 1, 5, 1, 4, 1, 4, 1, 1]);
    expect(quintileScores([7, 7, 7], 'lower')).toEqual([2, 2, 2]);
    expect(quintileScores([7], 'higher')).toEqual([5]);
    expect(quintileScores([], 'lower')).toEqual([]);
  });

  it('is independent of input order', () => {
    const values = Array.from({ length: 37 }, (_, i) => (i * 7919) % 11);
    const scores = quintileScores(values, 'lower');
    const reversed = quintileScores([...values].reverse(), 'lower').reverse();
    expect(reversed).toEqual(scores);
    values.forEach((v, i) => values.forEach((w, j) => v === w && expect(scores[i]).toBe(scores[j])));
  });
});

describe('segment map', () => {
  it('puts each of the 25 (R, F) cells in exactly one rule', () => {
    const cells: string[] = [];
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const matching = SEGMENT_RULES.filter((rule) => r >= rule.r[0] && r <= rule.r[1] && f >= rule.f[0] && f <= rule.f[1]);
        expect(matching).toHaveLength(1);
        cells.push(`${r}${f}:${segmentOf(r, f)}`);
      }
    }
    expect(cells).toEqual([
      '11:hibernating', '12:hibernating', '13:at_risk', '14:at_risk', '15:cant_lose',
      '21:hibernating', '22:hibernating', '23:at_risk', '24:at_risk', '25:cant_lose',
      '31:about_to_sleep', '32:about_to_sleep', '33:need_attention', '34:loyal', '35:loyal',
      '41:promising', '42:potential_loyalists', '43:potential_loyalists', '44:loyal', '45:loyal',
      '51:new', '52:potential_loyalists', '53:potential_loyalists', '54:champions', '55:champions',
    ]);
  });

  it('rejects scores outside 1–5', () => {
    expect(() => segmentOf(0, 3)).toThrow('No segment for R 0, F 3');
    expect(() => segmentOf(3, 6)).toThrow(RangeError);
  });
});

describe('rfmMeasures and scoreCustomers', () => {
  const asOf = '2024-03-01T00:00:00Z';

  it('counts orders not cancelled by asOf, nets refunds, and floors the days since the last order', () => {
    const measures = rfmMeasures(
      'c1',
      [
        { placedAt: '2024-01-01T12:00:00Z', total: 10_000 },
        { placedAt: '2024-02-01T12:00:00Z', total: 5_000, cancelledAt: '2024-02-02T00:00:00Z' },
        { placedAt: '2024-02-10T12:00:00Z', total: 3_000, cancelledAt: '2024-03-05T00:00:00Z' },
        { placedAt: '2024-03-02T00:00:00Z', total: 99_999 },
      ],
      [
        { occurredAt: '2024-01-05T00:00:00Z', amount: 2_500 },
        { occurredAt: '2024-03-01T00:00:01Z', amount: 1_000 },
      ],
      asOf,
    );
    // Last OrderPlaced 2024-02-10T12:00 → 19.5 days → 19.
    expect(measures).toEqual({ customerId: 'c1', recencyDays: 19, frequency: 2, monetary: 10_000 + 3_000 - 2_500 });
  });

  it('leaves customers without an order out of n and makes them prospects', () => {
    const result = scoreCustomers([
      { customerId: 'p', recencyDays: null, frequency: 0, monetary: 0 },
      { customerId: 'a', recencyDays: 1, frequency: 9, monetary: 900 },
      { customerId: 'b', recencyDays: 300, frequency: 1, monetary: 10 },
      { customerId: 'c', recencyDays: 300, frequency: 1, monetary: 10 },
      { customerId: 'd', recencyDays: 40, frequency: 3, monetary: 300 },
      { customerId: 'e', recencyDays: 10, frequency: 5, monetary: 500 },
    ]);
    expect(result.scored).toBe(5);
    expect(result.customers.map((c) => [c.customerId, c.scores, c.segment])).toEqual([
      ['p', null, 'prospect'],
      ['a', { r: 5, f: 5, m: 5 }, 'champions'],
      ['b', { r: 1, f: 1, m: 1 }, 'hibernating'],
      ['c', { r: 1, f: 1, m: 1 }, 'hibernating'],
      ['d', { r: 3, f: 3, m: 3 }, 'need_attention'],
      ['e', { r: 4, f: 4, m: 4 }, 'loyal'],
    ]);
    expect(result.boundaries.r).toEqual([
      { score: 1, lowest: 300, highest: 300 },
      { score: 3, lowest: 40, highest: 40 },
      { score: 4, lowest: 10, highest: 10 },
      { score: 5, lowest: 1, highest: 1 },
    ]);
  });
});

describe('netValue', () => {
  const costs = { perComplaint: 1_500, perCallback: 500 };

  it('subtracts complaints, callbacks and goodwill from net spend', () => {
    expect(netValue(10_000, { complaints: 2, callbacks: 3, goodwillPaid: 1_000 }, costs)).toEqual({
      netSpend: 10_000,
      costToServe: 5_500,
      netValue: 4_500,
      negativeValue: false,
    });
  });

  it('flags negative value below zero only', () => {
    expect(netValue(5_500, { complaints: 2, callbacks: 3, goodwillPaid: 1_000 }, costs)).toMatchObject({ netValue: 0, negativeValue: false });
    expect(netValue(5_499, { complaints: 2, callbacks: 3, goodwillPaid: 1_000 }, costs)).toMatchObject({ netValue: -1, negativeValue: true });
    expect(netValue(-200, { complaints: 0, callbacks: 0, goodwillPaid: 0 }, costs)).toMatchObject({ netValue: -200, negativeValue: true });
  });
});

describe('growth', () => {
  const asOf = '2024-07-01T00:00:00Z';
  const options = { windowDays: 90, ratio: 1.5, minimumAmount: 1_000 };

  it('splits the windows at asOf − 90 days and asOf − 180 days, ignoring anything after asOf', () => {
    const result = growth(
      [
        { occurredAt: '2024-07-01T00:00:00Z', amount: 100 },
        { occurredAt: '2024-07-01T00:00:01Z', amount: 99_999 },
        { occurredAt: '2024-04-02T00:00:00.001Z', amount: 1_000 },
        { occurredAt: '2024-04-02T00:00:00Z', amount: 700 },
        { occurredAt: '2024-01-03T00:00:00.001Z', amount: 50 },
        { occurredAt: '2024-01-03T00:00:00Z', amount: 99_999 },
        { occurredAt: '2024-05-01T00:00:00Z', amount: -100 },
      ],
      asOf,
      options,
    );
    expect(result).toEqual({ recent: 1_000, previous: 750, growing: false });
  });

  it('needs strictly more than ratio × previous and at least the minimum amount', () => {
    const at = (recent: number, previous: number) =>
      growth(
        [
          { occurredAt: '2024-06-01T00:00:00Z', amount: recent },
          { occurredAt: '2024-03-01T00:00:00Z', amount: previous },
        ],
        asOf,
        options,
      ).growing;
    expect(at(1_500, 1_000)).toBe(false);
    expect(at(1_501, 1_000)).toBe(true);
    expect(at(1_000, 0)).toBe(true);
    expect(at(999, 0)).toBe(false);
    expect(at(1_000, -500)).toBe(true);
  });

  it('has documented defaults', () => {
    expect(DEFAULT_GROWTH).toEqual({ windowDays: 90, ratio: 1.25, minimumAmount: 5_000 });
  });
});
