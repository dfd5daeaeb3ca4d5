import { v5 as uuidv5 } from 'uuid';
import { InsufficientPointsError } from '../errors';
import type { RuleBook, RuleVersion } from '../rules/rules';
import type { Draft, Fact } from './decide';
import { availablePoints, evolve, qualifyingPoints, spendOrder, tierOf, type Lot, type LoyaltyState } from './state';
import { addDays, addMonths, isoOf } from './time';

/** Namespace of every id the loyalty service derives (uuid v5). */
const LOYALTY_NAMESPACE = 'b8f6f1e2-4c4a-4e7b-9f0e-6a1c2d3e4f50';

export const derivedId = (...parts: string[]) => uuidv5(parts.join('|'), LOYALTY_NAMESPACE);
const clip = (text: string) => (text.length > 100 ? `${text.slice(0, 99)}…` : text);
export const floorPoints = (value: number) => Math.floor(value + 1e-9);

/** Decides on a working state it evolves as it goes; the functions of decide.ts wrap it. */
export class Deciding {
  readonly events: Draft[] = [];

  constructor(
    readonly state: LoyaltyState,
    readonly rules: RuleBook,
    readonly customerId: string,
  ) {}

  emit<T extends Draft['type']>(type: T, id: string, occurredAt: string, data: Extract<Draft, { type: T }>['data']): void {
    const draft = { id, type, occurredAt, data } as Draft;
    evolve(this.state, draft);
    this.events.push(draft);
  }

  /** Decides every time-based change due up to `until`, earliest first, at its due instant. */
  advance(until: string): void {
    let reviewedUpTo = '';
    for (let guard = 0; guard < 1_000_000; guard++) {
      const due = this.nextDue(until, reviewedUpTo);
      if (!due) return;
      const rules = this.rules.at(due.at);
      if (due.kind === 'available') this.becomeAvailable(due.lot as Lot, due.at, rules);
      else if (due.kind === 'expire') this.expire(due.lot as Lot, due.at, rules);
      else {
        reviewedUpTo = due.at;
        this.review(due.at, rules);
      }
    }
    throw new Error(`loyalty-${this.customerId}: time-based changes do not settle`);
  }

  private nextDue(until: string, reviewedUpTo: string): { at: string; kind: 'available' | 'expire' | 'review'; lot: Lot | undefined } | undefined {
    let best: { at: string; kind: 'available' | 'expire' | 'review'; lot: Lot | undefined; rank: number } | undefined;
    const consider = (at: string, kind: 'available' | 'expire' | 'review', lot: Lot | undefined, rank: number) => {
      if (at > until) return;
      if (!best || at < best.at || (at === best.at && rank < best.rank)) best = { at, kind, lot, rank };
    };
    for (const lot of this.state.lots) {
      if (lot.status === 'pending') consider(lot.pendingUntil, 'available', lot, 0);
      else if (lot.status === 'available' && lot.remaining > 0 && lot.expiresAt) consider(lot.expiresAt, 'expire', lot, 1);
    }
    const review = this.nextReview(until, reviewedUpTo);
    if (review) consider(review, 'review', undefined, 2);
    return best;
  }

  /** The tier's next anniversary after `after`; the tier is held for whole windows, reviewed at each end. */
  private nextReview(until: string, after: string): string | undefined {
    const { reviewAt } = this.state;
    if (!reviewAt || tierOf(this.state, this.rules.at(reviewAt)).threshold === 0) return undefined;
    const window = this.rules.at(reviewAt).tierWindowMonths;
    for (let k = 0; k < 1000; k++) {
      const at = addMonths(reviewAt, k * window);
      if (at > until) return undefined;
      if (at > after) return at;
    }
    return undefined;
  }

  private becomeAvailable(lot: Lot, at: string, rules: RuleVersion): void {
    const appliedToDebt = Math.min(this.state.debt, lot.remaining);
    this.emit('PointsBecameAvailable', derivedId(lot.lotId, 'available'), at, {
      lotId: lot.lotId,
      points: lot.remaining,
      appliedToDebt,
      expiresAt: addMonths(at, rules.expiryMonths),
      rule: `lot.available after ${rules.pendingDays} days`,
      rulesVersion: rules.version,
      sourceEventId: `lot:${lot.lotId}`,
    });
  }

  private expire(lot: Lot, at: string, rules: RuleVersion): void {
    this.emit('PointsExpired', derivedId(lot.lotId, 'expired'), at, {
      lotId: lot.lotId,
      points: lot.remaining,
      rule: `lot.expiry ${rules.expiryMonths} months after available`,
      rulesVersion: rules.version,
      sourceEventId: `lot:${lot.lotId}`,
    });
  }

  private review(at: string, rules: RuleVersion): void {
    const current = tierOf(this.state, rules);
    const qualifying = qualifyingPoints(this.state, at, rules.tierWindowMonths);
    if (qualifying >= current.threshold) return;
    const target = highestTier(rules, qualifying);
    this.emit('TierChanged', derivedId(this.customerId, 'tier.review', at), at, {
      from: current.name,
      to: target.name,
      direction: 'down',
      qualifyingPoints: qualifying,
      reviewAt: addMonths(at, rules.tierWindowMonths),
      rule: clip(`tier.review ${rules.tierWindowMonths} months below ${current.threshold}`),
      rulesVersion: rules.version,
      sourceEventId: `tier-review:${at}`,
    });
  }

  upgrade(at: string, sourceEventId: string, rules: RuleVersion): void {
    const current = tierOf(this.state, rules);
    const qualifying = qualifyingPoints(this.state, at, rules.tierWindowMonths);
    const target = highestTier(rules, qualifying);
    if (target.threshold <= current.threshold) return;
    this.emit('TierChanged', derivedId(sourceEventId, 'tier.upgrade'), at, {
      from: current.name,
      to: target.name,
      direction: 'up',
      qualifyingPoints: qualifying,
      reviewAt: addMonths(at, rules.tierWindowMonths),
      rule: clip(`tier.upgrade at ${target.threshold} in ${rules.tierWindowMonths} months`),
      rulesVersion: rules.version,
      sourceEventId,
    });
  }

  earn(source: string, purpose: string, at: string, rules: RuleVersion, data: { reason: 'order' | 'first_order' | 'feedback' | 'goodwill'; points: number; pendingDays: number; qualifying: boolean; rule: string; orderId?: string; complaintId?: string; baseValue?: number }): void {
    const id = derivedId(source, purpose);
    this.emit('PointsEarned', id, at, {
      lotId: id,
      reason: data.reason,
      points: data.points,
      ...(data.orderId !== undefined ? { orderId: data.orderId } : {}),
      ...(data.complaintId !== undefined ? { complaintId: data.complaintId } : {}),
      ...(data.baseValue !== undefined ? { baseValue: data.baseValue } : {}),
      pendingUntil: addDays(at, data.pendingDays),
      qualifying: data.qualifying,
      rule: clip(data.rule),
      rulesVersion: rules.version,
      sourceEventId: source,
    });
  }

  /** Takes points back: the given lots first, then spendable lots oldest first, then debt or shortfall. */
  clawBack(fact: Fact, orderId: string, points: number, first: readonly Lot[], details: { reason: 'order_cancelled' | 'order_returned'; rule: string; refundAmount?: number; orderValue?: number }, rules: RuleVersion): void {
    const consumed: { lotId: string; points: number }[] = [];
    let left = points;
    const seen = new Set<string>();
    for (const lot of [...first.filter((l) => (l.status === 'pending' || l.status === 'available') && l.remaining > 0), ...spendOrder(this.state)]) {
      if (left === 0) break;
      if (seen.has(lot.lotId)) continue;
      seen.add(lot.lotId);
      const taken = Math.min(left, lot.remaining);
      if (taken > 0) consumed.push({ lotId: lot.lotId, points: taken });
      left -= taken;
    }
    const allow = rules.negativeBalance === 'allow';
    this.emit('PointsReversed', derivedId(fact.id, details.reason), isoOf(fact.occurredAt), {
      reason: details.reason,
      orderId,
      points,
      consumed,
      debt: allow ? left : 0,
      shortfall: allow ? 0 : left,
      ...(details.refundAmount !== undefined ? { refundAmount: details.refundAmount } : {}),
      ...(details.orderValue !== undefined ? { orderValue: details.orderValue } : {}),
      rule: clip(`${details.rule}, negative balance ${rules.negativeBalance}`),
      rulesVersion: rules.version,
      sourceEventId: fact.id,
    });
  }

  /** Lots to spend `points` from, soonest expiry first; throws when the balance is short. */
  spend(points: number): { lotId: string; points: number }[] {
    const available = availablePoints(this.state);
    if (points > available) throw new InsufficientPointsError(Math.max(0, available), points);
    const consumed: { lotId: string; points: number }[] = [];
    let left = points;
    for (const lot of spendOrder(this.state)) {
      if (left === 0) break;
      const taken = Math.min(left, lot.remaining);
      consumed.push({ lotId: lot.lotId, points: taken });
      left -= taken;
    }
    return consumed;
  }
}

export function highestTier(rules: RuleVersion, qualifying: number) {
  let found = rules.tiers[0];
  for (const tier of rules.tiers) if (tier.threshold <= qualifying) found = tier;
  return found;
}

