import { fitBgNbd } from '../value-model/bg-nbd';
import { calibrationSummary } from '../value-model/repeat-summary';
import { rfmMeasures, scoreCustomers, type OrderFact, type RefundFact } from '../scoring/rfm-scores';
import { growth, netValue } from '../scoring/value-flags';
import { DEFAULT_SETTINGS } from '../config';
import { orderCancelled, orderPlaced, orderReturned, complaintFiled, profilingConsent, registered, startSegmentsKit, type Fact, type SegmentsKit } from '../segments-test-kit';
import { SNAPSHOT_SCHEMA } from './schema';

// A small deterministic generator, so a failure can be replayed.
function random(seed: number) {
  let state = seed;
  return () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

const AS_OF = '2011-06-30T12:00:00.000Z';

jest.setTimeout(120_000);

describe('full recompute in SQL', () => {
  let kit: SegmentsKit;
  const orders = new Map<string, OrderFact[]>();
  const refunds = new Map<string, RefundFact[]>();
  const complaints = new Map<string, number>();
  const excluded = new Set<string>();

  beforeAll(async () => {
    kit = await startSegmentsKit('segments_recompute');
    const next = random(42);
    const facts: Fact[] = [];
    for (let c = 0; c < 400; c++) {
      const id = `c${c}`;
      facts.push(registered(id, '2010-01-01T00:00:00Z'));
      // Buy-till-you-die histories (a personal rate, a chance to drop out after each order) on whole
      // days and a few shared totals, so ties are common; some orders fall after asOf.
      const placed: OrderFact[] = [];
      const meanGap = 10 + next() * 110;
      const dropout = next() * 0.6;
      let day = Math.floor(next() * 200);
      for (let o = 0; next() > 0.12 && day < 600; o++) {
        const at = new Date(Date.parse('2010-01-01T00:00:00Z') + day * 86_400_000 + Math.floor(next() * 4) * 3_600_000).toISOString();
        const total = [500, 1000, 2500, 9999][Math.floor(next() * 4)];
        const order: OrderFact = { placedAt: at, total };
        facts.push(orderPlaced(id, `${id}-o${o}`, at, total));
        if (next() < 0.1) {
          const cancelledAt = new Date(Date.parse(at) + 86_400_000).toISOString();
          facts.push(orderCancelled(id, `${id}-o${o}`, cancelledAt));
          order.cancelledAt = cancelledAt;
        }
        if (next() < 0.1) {
          const refundAt = new Date(Date.parse(at) + 2 * 86_400_000).toISOString();
          facts.push(orderReturned(id, `${id}-r${o}`, refundAt, 300));
          refunds.set(id, [...(refunds.get(id) ?? []), { occurredAt: refundAt, amount: 300 }]);
        }
        placed.push(order);
        if (next() < dropout) break;
        day += 1 + Math.floor(-Math.log(1 - next()) * meanGap);
      }
      orders.set(id, placed);
      if (next() < 0.1) {
        facts.push(complaintFiled(id, `${id}-k`, '2011-01-01T00:00:00Z'));
        complaints.set(id, 1);
      }
      if (c % 50 === 7) {
        facts.push(profilingConsent(id, '2010-06-01T00:00:00Z', false));
        excluded.add(id);
      }
      if (c % 50 === 8) facts.push(profilingConsent(id, '2010-06-01T00:00:00Z', false), profilingConsent(id, '2010-07-01T00:00:00Z', true));
      // Withdrawn only after asOf: still scored.
      if (c % 50 === 9) facts.push(profilingConsent(id, '2012-01-01T00:00:00Z', false));
    }
    await kit.emit(facts);
    await kit.segments.projections.settled();
  });

  afterAll(() => kit.close());

  it('gives every customer the scores, segment, net value and growth of the core functions', async () => {
    const snapshot = await kit.segments.recompute(AS_OF);
    const included = [...orders.keys()].filter((id) => !excluded.has(id));
    const expected = scoreCustomers(included.map((id) => rfmMeasures(id, orders.get(id)!, refunds.get(id) ?? [], AS_OF)));
    const rows = await kit.pool.query(`SELECT * FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1`, [AS_OF]);
    const byId = new Map(rows.rows.map((row) => [row.customer_id as string, row]));
    expect(snapshot.excluded).toBe(excluded.size);
    expect(snapshot.customers).toBe(400);
    expect(snapshot.scored).toBe(expected.scored);
    expect(expected.scored).toBeGreaterThan(200);
    for (const customer of expected.customers) {
      const row = byId.get(customer.customerId)!;
      expect({ id: customer.customerId, segment: row.segment, r: row.r, f: row.f, m: row.m, recency: row.recency_days, frequency: row.frequency, monetary: Number(row.monetary) }).toEqual({
        id: customer.customerId,
        segment: customer.segment,
        r: customer.scores?.r ?? null,
        f: customer.scores?.f ?? null,
        m: customer.scores?.m ?? null,
        recency: customer.recencyDays,
        frequency: customer.frequency,
        monetary: customer.monetary,
      });
      const value = netValue(customer.monetary, { complaints: complaints.get(customer.customerId) ?? 0, callbacks: 0, goodwillPaid: 0 }, DEFAULT_SETTINGS.costs);
      expect(Number(row.net_value)).toBe(value.netValue);
      const spend = [
        ...orders.get(customer.customerId)!.filter((o) => !o.cancelledAt || o.cancelledAt > AS_OF).map((o) => ({ occurredAt: o.placedAt, amount: o.total })),
        ...(refunds.get(customer.customerId) ?? []).map((r) => ({ occurredAt: r.occurredAt, amount: -r.amount })),
      ];
      expect(row.growing).toBe(growth(spend, AS_OF).growing);
    }
    for (const id of excluded) expect(byId.get(id)).toMatchObject({ excluded: true, segment: null, r: null });
    expect(snapshot.boundaries.r).toEqual(expected.boundaries.r);
    expect(snapshot.boundaries.f).toEqual(expected.boundaries.f);
    expect(snapshot.boundaries.m).toEqual(expected.boundaries.m);
  });

  it('fits BG/NBD on the same x, t_x and T as calibrationSummary', async () => {
    const snapshot = await kit.segments.recompute(AS_OF);
    const summaries = [...orders.keys()]
      .filter((id) => !excluded.has(id))
      .flatMap((id) => {
        const kept = orders.get(id)!.filter((o) => !o.cancelledAt || o.cancelledAt > AS_OF);
        const summary = calibrationSummary(kept.map((o) => ({ occurredAt: o.placedAt, value: o.total })), AS_OF);
        return summary ? [summary] : [];
      });
    const fit = fitBgNbd(summaries);
    const model = snapshot.model.bgNbd as unknown as { parameters: Record<string, number>; logLikelihood: number; customers: number };
    expect(model.customers).toBe(summaries.length);
    expect(model.logLikelihood).toBeCloseTo(fit.logLikelihood, 6);
    expect(model.parameters.r).toBeCloseTo(fit.parameters.r, 6);
  });
});
