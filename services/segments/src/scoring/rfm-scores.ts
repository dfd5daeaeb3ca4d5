import { DAY_MS, parseInstant } from '../instants';
import { segmentOf, type Segment } from './segment-map';

export interface OrderFact {
  placedAt: string;
  /** Order total in base-currency minor units. */
  total: number;
  /** When the order was cancelled, if it was; a cancellation after asOf does not count. */
  cancelledAt?: string;
}

export interface RefundFact {
  occurredAt: string;
  /** Refunded amount (`OrderReturned`) in base-currency minor units, positive. */
  amount: number;
}

export interface RfmMeasures {
  customerId: string;
  /** Whole days from the last OrderPlaced to asOf; null for a customer with no order (a prospect). */
  recencyDays: number | null;
  /** Orders placed and not cancelled. */
  frequency: number;
  /** Net spend: totals of those orders − refunds, minor units. */
  monetary: number;
}

export interface RfmScores {
  r: number;
  f: number;
  m: number;
}

export interface ScoredCustomer extends RfmMeasures {
  /** Null for prospects, who are not scored. */
  scores: RfmScores | null;
  segment: Segment;
}

/** The values that received each score, for explaining a customer's score. */
export interface ScoreBand {
  score: number;
  lowest: number;
  highest: number;
}

export interface RfmScoring {
  customers: ScoredCustomer[];
  /** Customers scored (those with at least one OrderPlaced): the n of the formula. */
  scored: number;
  boundaries: { r: ScoreBand[]; f: ScoreBand[]; m: ScoreBand[] };
}

/** A customer's R, F and M as of `asOf`; only facts with an instant ≤ asOf count. */
export function rfmMeasures(customerId: string, orders: readonly OrderFact[], refunds: readonly RefundFact[], asOf: string): RfmMeasures {
  const end = parseInstant(asOf, 'asOf');
  let lastPlaced = -Infinity;
  let frequency = 0;
  let monetary = 0;
  orders.forEach((order, i) => {
    const placed = parseInstant(order.placedAt, `orders.${i}.placedAt`);
    if (placed > end) return;
    lastPlaced = Math.max(lastPlaced, placed);
    if (order.cancelledAt !== undefined && parseInstant(order.cancelledAt, `orders.${i}.cancelledAt`) <= end) return;
    frequency++;
    monetary += order.total;
  });
  refunds.forEach((refund, i) => {
    if (parseInstant(refund.occurredAt, `refunds.${i}.occurredAt`) <= end) monetary -= refund.amount;
  });
  const recencyDays = lastPlaced === -Infinity ? null : Math.floor((end - lastPlaced) / DAY_MS);
  return { customerId, recencyDays, frequency, monetary };
}

/**
 * score = ceil(5 × rank / n), rank = 1 + the number of values strictly worse, so equal values share
 * a score. `worse` says which direction is worse. O(n log n).
 */
export function quintileScores(values: readonly number[], worse: 'higher' | 'lower'): number[] {
  const n = values.length;
  const order = values.map((_, i) => i).sort((i, j) => (worse === 'higher' ? values[j] - values[i] : values[i] - values[j]));
  const scores = new Array<number>(n);
  let groupStart = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0 && values[order[k]] !== values[order[k - 1]]) groupStart = k;
    scores[order[k]] = Math.ceil((5 * (1 + groupStart)) / n);
  }
  return scores;
}

/** Scores every customer with an order and maps (R, F) to a segment; customers with none are prospects. */
export function scoreCustomers(measures: readonly RfmMeasures[]): RfmScoring {
  const scoredIndexes = measures.flatMap((m, i) => (m.recencyDays === null ? [] : [i]));
  const recency = scoredIndexes.map((i) => measures[i].recencyDays as number);
  const frequency = scoredIndexes.map((i) => measures[i].frequency);
  const monetary = scoredIndexes.map((i) => measures[i].monetary);
  const r = quintileScores(recency, 'higher');
  const f = quintileScores(frequency, 'lower');
  const m = quintileScores(monetary, 'lower');
  const customers: ScoredCustomer[] = measures.map((measure) => ({ ...measure, scores: null, segment: 'prospect' }));
  scoredIndexes.forEach((index, k) => {
    const scores = { r: r[k], f: f[k], m: m[k] };
    customers[index] = { ...measures[index], scores, segment: segmentOf(scores.r, scores.f) };
  });
  return {
    customers,
    scored: scoredIndexes.length,
    boundaries: { r: bands(recency, r), f: bands(frequency, f), m: bands(monetary, m) },
  };
}

function bands(values: readonly number[], scores: readonly number[]): ScoreBand[] {
  const byScore = new Map<number, ScoreBand>();
  values.forEach((value, i) => {
    const band = byScore.get(scores[i]);
    if (!band) byScore.set(scores[i], { score: scores[i], lowest: value, highest: value });
    else {
      band.lowest = Math.min(band.lowest, value);
      band.highest = Math.max(band.highest, value);
    }
  });
  return [...byScore.values()].sort((p, q) => p.score - q.score);
}
