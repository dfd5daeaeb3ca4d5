import type { EventOf, LoyaltyEventOf, LoyaltyEventType } from '@rapport/contracts';
import { IdempotencyKeyReusedError } from '../errors';
import type { RuleBook, RuleVersion } from '../rules/rules';
import { derivedId, Deciding, floorPoints } from './deciding';
import { tierOf, type Answer, type Lot, type LoyaltyState } from './state';
import { addMonths, isoOf } from './time';

/** The customer facts loyalty answers. */
export const LOYALTY_FACT_TYPES = ['OrderPlaced', 'OrderCancelled', 'OrderReturned', 'ComplaintResolved', 'FeedbackGiven'] as const;
type FactType = (typeof LOYALTY_FACT_TYPES)[number];
export type Fact = { [T in FactType]: Pick<EventOf<T>, 'id' | 'type' | 'occurredAt' | 'data'> }[FactType];

export type LoyaltyCommand =
  | { readonly kind: 'redeem'; readonly points: number; readonly reason: string; readonly idempotencyKey: string; readonly at: string }
  | { readonly kind: 'adjust'; readonly points: number; readonly reason: string; readonly idempotencyKey: string; readonly at: string };

/** A loyalty event as decided, before the envelope (customer, source) is put round it. */
export type Draft = { [T in LoyaltyEventType]: Pick<LoyaltyEventOf<T>, 'id' | 'type' | 'occurredAt' | 'data'> }[LoyaltyEventType];

export interface Decision {
  readonly events: Draft[];
  /** Why a fact earned or reversed nothing, for the processor's record. */
  readonly skipped?: string;
  /** A command's answer: the new event, or the first answer to a replayed idempotency key. */
  readonly answer?: Answer & { readonly replayed: boolean };
}

function rateOf(rules: RuleVersion, currency: string): number | undefined {
  return currency === rules.baseCurrency ? 1 : rules.currencyRates[currency];
}

function answerFact(deciding: Deciding, fact: Fact): string | undefined {
  const at = isoOf(fact.occurredAt);
  const rules = deciding.rules.at(at);
  const { state } = deciding;
  switch (fact.type) {
    case 'OrderPlaced': {
      const { orderId, currency, total, lines } = fact.data;
      if (state.orders[orderId]) return `order #${orderId} already earned points`;
      const rate = rateOf(rules, currency);
      if (rate === undefined) return `no rate for ${currency} in rules ${rules.version}`;
      const baseValue = Math.round(total * rate);
      let extra = 0;
      for (const line of lines) {
        const multiplier = rules.skuMultipliers[line.sku];
        if (multiplier !== undefined) extra += (multiplier - 1) * line.quantity * line.unitPrice * rate;
      }
      const value = Math.max(0, baseValue + extra);
      const tier = tierOf(state, rules);
      const campaigns = rules.campaigns.filter((c) => Date.parse(c.from) <= Date.parse(at) && Date.parse(at) < Date.parse(c.to));
      const campaignMultiplier = campaigns.reduce((product, c) => product * c.multiplier, 1);
      const points = floorPoints((value / 100) * rules.pointsPerUnit * tier.multiplier * campaignMultiplier);
      const firstOrder = state.ordersEarned === 0;
      if (points <= 0) return `order #${orderId} is worth no points`;
      const parts = [`earn.order ${rules.pointsPerUnit}/${rules.baseCurrency}`, tier.multiplier !== 1 ? `${tier.name} ×${tier.multiplier}` : '', ...campaigns.map((c) => `${c.name} ×${c.multiplier}`), extra !== 0 ? 'SKU multipliers' : ''];
      deciding.earn(fact.id, 'earn.order', at, rules, { reason: 'order', points, pendingDays: rules.pendingDays, qualifying: true, rule: parts.filter(Boolean).join(', '), orderId, baseValue });
      if (firstOrder && rules.firstOrderBonus > 0) {
        deciding.earn(fact.id, 'earn.first_order', at, rules, { reason: 'first_order', points: rules.firstOrderBonus, pendingDays: rules.pendingDays, qualifying: true, rule: 'earn.first_order_bonus', orderId });
      }
      deciding.upgrade(at, fact.id, rules);
      return undefined;
    }
    case 'OrderCancelled': {
      const { orderId } = fact.data;
      const order = state.orders[orderId];
      if (!order) return `no points were earned on order #${orderId}`;
      // Lots already spent or expired may be gone from a cached fold; the order keeps their points.
      const lots = order.lotIds.map((id) => state.lots.find((lot) => lot.lotId === id)).filter((lot): lot is Lot => lot !== undefined);
      const points = order.points - order.reversed;
      if (points <= 0) return `order #${orderId} has no points left to reverse`;
      deciding.clawBack(fact, orderId, points, lots, { reason: 'order_cancelled', rule: 'reverse.cancellation voids the order\'s lots' }, rules);
      return undefined;
    }
    case 'OrderReturned': {
      const { orderId, refundAmount, currency } = fact.data;
      const order = state.orders[orderId];
      const lotId = order?.orderLotId;
      const rate = rateOf(rules, currency);
      if (rate === undefined) return `no rate for ${currency} in rules ${rules.version}`;
      const refund = Math.round(refundAmount * rate);
      if (!order || lotId === undefined) {
        // A credit note that names no order we earned on (the Online Retail returns): the refund at the base rate, oldest lots first.
        const points = floorPoints((refund / 100) * rules.pointsPerUnit);
        if (points <= 0) return `the refund on #${orderId} reverses no points`;
        deciding.clawBack(fact, orderId, points, [], { reason: 'order_returned', rule: 'reverse.return of an unknown order at the base rate', refundAmount: refund }, rules);
        return undefined;
      }
      const share = order.value > 0 ? Math.min(1, refund / order.value) : 1;
      const points = Math.min(Math.round(order.orderLotPoints * share), order.orderLotPoints - order.reversed);
      if (points <= 0) return `the refund on order #${orderId} reverses no points`;
      const lot = state.lots.find((candidate) => candidate.lotId === lotId);
      deciding.clawBack(fact, orderId, points, lot ? [lot] : [], { reason: 'order_returned', rule: 'reverse.return in proportion to the refund', refundAmount: refund, orderValue: order.value }, rules);
      return undefined;
    }
    case 'ComplaintResolved': {
      const { compensationPoints, complaintId } = fact.data;
      if (!compensationPoints) return 'no compensation points';
      deciding.earn(fact.id, 'earn.goodwill', at, rules, { reason: 'goodwill', points: compensationPoints, pendingDays: 0, qualifying: false, rule: 'earn.goodwill compensation', complaintId });
      return undefined;
    }
    case 'FeedbackGiven': {
      const { orderId } = fact.data;
      if (orderId === undefined) return 'feedback is not about an order';
      const order = state.orders[orderId];
      if (!order) return `no points were earned on order #${orderId}`;
      if (order.feedbackRewarded) return `feedback on order #${orderId} was already rewarded`;
      if (rules.feedbackBonus <= 0) return 'no feedback bonus in force';
      deciding.earn(fact.id, 'earn.feedback', at, rules, { reason: 'feedback', points: rules.feedbackBonus, pendingDays: 0, qualifying: true, rule: 'earn.feedback once per order', orderId });
      deciding.upgrade(at, fact.id, rules);
      return undefined;
    }
    default: {
      const unknown: never = fact;
      throw new Error(`loyalty does not answer ${(unknown as { type: string }).type}`);
    }
  }
}

/**
 * Decides in place on `state` (the processor's working copy): time-based changes due by
 * the fact's instant first, then the fact, then changes it made due at once.
 */
export function decideFactInPlace(state: LoyaltyState, fact: Fact, rules: RuleBook, customerId: string): Decision {
  const deciding = new Deciding(state, rules, customerId);
  const at = isoOf(fact.occurredAt);
  deciding.advance(at);
  const skipped = state.handled[fact.id] ? 'already answered' : answerFact(deciding, fact);
  deciding.advance(at);
  return { events: deciding.events, ...(skipped ? { skipped } : {}) };
}

export function decideFact(state: LoyaltyState, fact: Fact, rules: RuleBook, customerId: string): Decision {
  return decideFactInPlace(structuredClone(state), fact, rules, customerId);
}

/** Time-based changes due up to `until` (the scheduler's tick), in place. */
export function advanceInPlace(state: LoyaltyState, until: string, rules: RuleBook, customerId: string): Draft[] {
  const deciding = new Deciding(state, rules, customerId);
  deciding.advance(isoOf(until));
  return deciding.events;
}

export function advance(state: LoyaltyState, until: string, rules: RuleBook, customerId: string): Draft[] {
  return advanceInPlace(structuredClone(state), until, rules, customerId);
}

/** Redeem or adjust at `command.at`: due changes first (nothing is spent from an expired lot). */
export function decideCommand(state: LoyaltyState, command: LoyaltyCommand, rules: RuleBook, customerId: string): Decision {
  const deciding = new Deciding(structuredClone(state), rules, customerId);
  const at = isoOf(command.at);
  deciding.advance(at);
  const working = deciding.state;
  const version = rules.at(at);
  switch (command.kind) {
    case 'redeem': {
      const earlier = working.redemptions[command.idempotencyKey];
      if (earlier) {
        if (earlier.points !== command.points || earlier.reason !== command.reason) throw new IdempotencyKeyReusedError(command.idempotencyKey);
        return { events: deciding.events, answer: { ...earlier, replayed: true } };
      }
      const consumed = deciding.spend(command.points);
      const id = derivedId(customerId, 'redemption', command.idempotencyKey);
      deciding.emit('PointsRedeemed', id, at, {
        redemptionId: id,
        points: command.points,
        reason: command.reason,
        idempotencyKey: command.idempotencyKey,
        consumed,
        rule: 'redeem.fifo soonest expiry first',
        rulesVersion: version.version,
        sourceEventId: `redemption:${command.idempotencyKey}`,
      });
      return { events: deciding.events, answer: { eventId: id, points: command.points, reason: command.reason, replayed: false } };
    }
    case 'adjust': {
      const source = `adjustment:${command.idempotencyKey}`;
      const earlier = working.adjustments[source];
      if (earlier) {
        if (earlier.points !== command.points || earlier.reason !== command.reason) throw new IdempotencyKeyReusedError(command.idempotencyKey);
        return { events: deciding.events, answer: { ...earlier, replayed: true } };
      }
      const id = derivedId(customerId, 'adjustment', command.idempotencyKey);
      const common = { adjustmentId: id, points: command.points, reason: command.reason, rule: 'adjust.admin', rulesVersion: version.version, sourceEventId: source };
      if (command.points > 0) {
        deciding.emit('PointsAdjusted', id, at, {
          ...common,
          lotId: derivedId(customerId, 'adjustment-lot', command.idempotencyKey),
          expiresAt: addMonths(at, version.expiryMonths),
          appliedToDebt: Math.min(working.debt, command.points),
        });
      } else {
        deciding.emit('PointsAdjusted', id, at, { ...common, consumed: deciding.spend(-command.points) });
      }
      return { events: deciding.events, answer: { eventId: id, points: command.points, reason: command.reason, replayed: false } };
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown loyalty command ${(unknown as { kind: string }).kind}`);
    }
  }
}

/** When the account next changes by itself after `after`, for the scheduler; undefined if never. */
export function nextDueAt(state: LoyaltyState, rules: RuleBook, after: string): string | undefined {
  let best: string | undefined;
  const consider = (at: string | undefined) => {
    if (at !== undefined && at > after && (best === undefined || at < best)) best = at;
  };
  for (const lot of state.lots) {
    if (lot.status === 'pending') consider(lot.pendingUntil);
    else if (lot.status === 'available' && lot.remaining > 0) consider(lot.expiresAt);
  }
  if (state.reviewAt && tierOf(state, rules.at(state.reviewAt)).threshold > 0) {
    const window = rules.at(state.reviewAt).tierWindowMonths;
    for (let k = 0; k < 1000; k++) {
      const at = addMonths(state.reviewAt, k * window);
      if (at > after) {
        consider(at);
        break;
      }
    }
  }
  return best;
}
