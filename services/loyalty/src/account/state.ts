import type { LoyaltyEventOf, LoyaltyEventType } from '@rapport/contracts';
import type { RuleVersion, Tier } from '../rules/rules';
import { addDays, addMonths } from './time';

export type LotStatus = 'pending' | 'available' | 'expired' | 'void';

/** Points earned together, spent and expired together: the unit FIFO works on. */
export interface Lot {
  readonly lotId: string;
  readonly reason: string;
  readonly orderId?: string;
  readonly points: number;
  remaining: number;
  status: LotStatus;
  readonly earnedAt: string;
  readonly pendingUntil: string;
  expiresAt?: string;
  readonly qualifying: boolean;
}

export interface OrderRecord {
  /** Net value in base-currency minor units the order lot was computed from. */
  value: number;
  lotIds: string[];
  reversed: number;
  feedbackRewarded: boolean;
  /** Points of all the order's lots, and of its order lot: what a cancellation or return needs, kept here so spent lots can be dropped. */
  points: number;
  orderLotId?: string;
  orderLotPoints: number;
}

export interface Answer {
  readonly eventId: string;
  readonly points: number;
  readonly reason: string;
}

/**
 * One customer's loyalty account, a fold of the events in `loyalty-<customerId>`. Plain
 * JSON, so that the processor can keep it as a cache row.
 */
export interface LoyaltyState {
  lots: Lot[];
  /** Points taken beyond the lots (negative balance, mode `allow`); paid back by later lots. */
  debt: number;
  tier: string | undefined;
  tierSince: string | undefined;
  reviewAt: string | undefined;
  /** +earned / −reversed qualifying points with their instants, for the rolling tier window. */
  qualifying: Array<[at: string, points: number]>;
  orders: Record<string, OrderRecord>;
  /** Source events (facts) already answered: answering one again decides nothing. */
  handled: Record<string, true>;
  redemptions: Record<string, Answer>;
  adjustments: Record<string, Answer>;
  lifetimeEarned: number;
  ordersEarned: number;
  lastEventAt: string | undefined;
}

export function initialState(): LoyaltyState {
  return {
    lots: [],
    debt: 0,
    tier: undefined,
    tierSince: undefined,
    reviewAt: undefined,
    qualifying: [],
    orders: {},
    handled: {},
    redemptions: {},
    adjustments: {},
    lifetimeEarned: 0,
    ordersEarned: 0,
    lastEventAt: undefined,
  };
}

export type Movement = { [T in LoyaltyEventType]: Pick<LoyaltyEventOf<T>, 'type' | 'data' | 'occurredAt'> }[LoyaltyEventType];

/** Applies one loyalty event to the state, in place; returns it for folding. */
export function evolve(state: LoyaltyState, event: Movement): LoyaltyState {
  const lot = (lotId: string) => state.lots.find((candidate) => candidate.lotId === lotId);
  const take = (shares: readonly { lotId: string; points: number }[]) => {
    for (const share of shares) {
      const found = lot(share.lotId);
      if (!found) continue;
      found.remaining -= share.points;
      if (found.remaining <= 0 && found.status === 'pending') found.status = 'void';
    }
  };
  switch (event.type) {
    case 'PointsEarned': {
      const { data } = event;
      state.lots.push({
        lotId: data.lotId,
        reason: data.reason,
        ...(data.orderId !== undefined ? { orderId: data.orderId } : {}),
        points: data.points,
        remaining: data.points,
        status: 'pending',
        earnedAt: event.occurredAt,
        pendingUntil: data.pendingUntil ?? event.occurredAt,
        qualifying: data.qualifying,
      });
      if (data.orderId !== undefined) {
        const order = (state.orders[data.orderId] ??= { value: 0, lotIds: [], reversed: 0, feedbackRewarded: false, points: 0, orderLotPoints: 0 });
        order.lotIds.push(data.lotId);
        order.points += data.points;
        if (data.reason === 'order') {
          order.value = data.baseValue ?? 0;
          order.orderLotId = data.lotId;
          order.orderLotPoints = data.points;
        }
        if (data.reason === 'feedback') order.feedbackRewarded = true;
      }
      if (data.reason === 'order') state.ordersEarned++;
      if (data.qualifying) state.qualifying.push([event.occurredAt, data.points]);
      state.lifetimeEarned += data.points;
      state.handled[data.sourceEventId] = true;
      break;
    }
    case 'PointsBecameAvailable': {
      const found = lot(event.data.lotId);
      if (found) {
        found.status = 'available';
        found.remaining = event.data.points - event.data.appliedToDebt;
        found.expiresAt = event.data.expiresAt;
      }
      state.debt -= event.data.appliedToDebt;
      break;
    }
    case 'PointsRedeemed':
      take(event.data.consumed);
      state.redemptions[event.data.idempotencyKey] = { eventId: event.data.redemptionId, points: event.data.points, reason: event.data.reason };
      break;
    case 'PointsReversed': {
      take(event.data.consumed);
      state.debt += event.data.debt;
      const order = state.orders[event.data.orderId];
      if (order) order.reversed += event.data.points;
      state.qualifying.push([event.occurredAt, -event.data.points]);
      state.handled[event.data.sourceEventId] = true;
      break;
    }
    case 'PointsExpired': {
      const found = lot(event.data.lotId);
      if (found) {
        found.remaining -= event.data.points;
        found.status = 'expired';
      }
      break;
    }
    case 'PointsAdjusted': {
      const { data } = event;
      if (data.points > 0 && data.lotId) {
        state.lots.push({
          lotId: data.lotId,
          reason: 'adjustment',
          points: data.points,
          remaining: data.points - (data.appliedToDebt ?? 0),
          status: 'available',
          earnedAt: event.occurredAt,
          pendingUntil: event.occurredAt,
          ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}),
          qualifying: false,
        });
        state.debt -= data.appliedToDebt ?? 0;
      } else {
        take(data.consumed ?? []);
      }
      state.adjustments[data.sourceEventId] = { eventId: data.adjustmentId, points: data.points, reason: data.reason };
      break;
    }
    case 'TierChanged':
      state.tier = event.data.to;
      state.tierSince = event.occurredAt;
      state.reviewAt = event.data.reviewAt;
      break;
    default: {
      const unknown: never = event;
      throw new Error(`no loyalty reading for ${(unknown as { type: string }).type}`);
    }
  }
  if (state.lastEventAt === undefined || event.occurredAt > state.lastEventAt) state.lastEventAt = event.occurredAt;
  return state;
}

export function fold(events: readonly Movement[], state: LoyaltyState = initialState()): LoyaltyState {
  for (const event of events) evolve(state, event);
  return state;
}

/** Spendable points: available lots less any negative balance (which makes it negative). */
export const availablePoints = (state: LoyaltyState): number =>
  state.lots.reduce((sum, lot) => (lot.status === 'available' ? sum + lot.remaining : sum), 0) - state.debt;

export const pendingPoints = (state: LoyaltyState): number =>
  state.lots.reduce((sum, lot) => (lot.status === 'pending' ? sum + lot.remaining : sum), 0);

/** Qualifying points earned (less reversals) in the window of `months` ending at `at` (exclusive start). */
export function qualifyingPoints(state: LoyaltyState, at: string, months: number): number {
  const start = addMonths(at, -months);
  let sum = 0;
  for (const [when, points] of state.qualifying) if (when > start && when <= at) sum += points;
  return sum;
}

export const tierOf = (state: LoyaltyState, rules: RuleVersion): Tier =>
  rules.tiers.find((tier) => tier.name === state.tier) ?? rules.tiers[0];

/** Available lots in the order they are spent and clawed back: soonest expiry first, then oldest. */
export function spendOrder(state: LoyaltyState): Lot[] {
  return state.lots
    .filter((lot) => lot.status === 'available' && lot.remaining > 0)
    .sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? '') || a.earnedAt.localeCompare(b.earnedAt));
}

/** What an account looks like at an instant: the API's answer. */
export interface AccountView {
  readonly available: number;
  readonly pending: number;
  readonly lifetimeEarned: number;
  readonly tier: string;
  readonly qualifyingPoints: number;
  readonly nextTier: { readonly name: string; readonly threshold: number; readonly pointsToGo: number } | null;
  readonly tierReviewAt: string | null;
  readonly expiringSoon: { readonly points: number; readonly withinDays: number; readonly lots: readonly { lotId: string; points: number; expiresAt: string }[] };
}

export function viewOf(state: LoyaltyState, at: string, rules: RuleVersion): AccountView {
  const tier = tierOf(state, rules);
  // Returns of orders from before the window can take the window's sum below zero; progress starts at 0.
  const qualifying = Math.max(0, qualifyingPoints(state, at, rules.tierWindowMonths));
  const next = rules.tiers.find((candidate) => candidate.threshold > tier.threshold);
  const horizon = addDays(at, rules.expiringSoonDays);
  const expiring = spendOrder(state).filter((lot) => lot.expiresAt !== undefined && lot.expiresAt > at && lot.expiresAt <= horizon);
  return {
    available: availablePoints(state),
    pending: pendingPoints(state),
    lifetimeEarned: state.lifetimeEarned,
    tier: tier.name,
    qualifyingPoints: qualifying,
    nextTier: next ? { name: next.name, threshold: next.threshold, pointsToGo: Math.max(0, next.threshold - qualifying) } : null,
    tierReviewAt: state.reviewAt ?? null,
    expiringSoon: {
      points: expiring.reduce((sum, lot) => sum + lot.remaining, 0),
      withinDays: rules.expiringSoonDays,
      lots: expiring.map((lot) => ({ lotId: lot.lotId, points: lot.remaining, expiresAt: lot.expiresAt as string })),
    },
  };
}
