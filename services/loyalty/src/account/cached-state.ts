import type { Answer, Lot, LotStatus, LoyaltyState, OrderRecord } from './state';

/**
 * How the processor keeps an account's fold in its cache row (`loyalty_processor.accounts`,
 * JSON in a text column, so that the database stores it without parsing it): lots and orders as tuples instead of objects, and without the lots no
 * decision can touch again (spent, expired or voided: nothing left in them and not
 * pending). Deciding never looks at such a lot: what a return or a cancellation needs of
 * its order's lots is kept on the order itself. A row written in another shape (an older
 * version) does not decode: its reader folds the stream instead.
 */
export const CACHED_STATE_VERSION = 2;

/** pendingUntil only while pending: nothing reads it after. */
type LotTuple = [lotId: string, reason: string, orderId: string | null, points: number, remaining: number, status: LotStatus, earnedAt: string, pendingUntil: string | null, expiresAt: string | null, qualifying: 0 | 1];
/** The order lot is named by its index in lotIds. */
type OrderTuple = [orderId: string, value: number, lotIds: string[], reversed: number, feedbackRewarded: 0 | 1, points: number, orderLot: number, orderLotPoints: number];

interface CachedState {
  readonly v: typeof CACHED_STATE_VERSION;
  readonly lots: LotTuple[];
  readonly debt: number;
  readonly tier: string | null;
  readonly tierSince: string | null;
  readonly reviewAt: string | null;
  readonly qualifying: Array<[string, number]>;
  readonly orders: OrderTuple[];
  readonly handled: string[];
  readonly redemptions: Array<[string, string, number, string]>;
  readonly adjustments: Array<[string, string, number, string]>;
  readonly lifetimeEarned: number;
  readonly ordersEarned: number;
  readonly lastEventAt: string | null;
}

/** A lot that can still change: pending, or with points left in it. */
export const isLive = (lot: Lot): boolean => lot.status === 'pending' || lot.remaining > 0;

export function encodeState(state: LoyaltyState): string {
  const cached: CachedState = {
    v: CACHED_STATE_VERSION,
    lots: state.lots.filter(isLive).map((lot) => [lot.lotId, lot.reason, lot.orderId ?? null, lot.points, lot.remaining, lot.status, lot.earnedAt, lot.status === 'pending' ? lot.pendingUntil : null, lot.expiresAt ?? null, lot.qualifying ? 1 : 0]),
    debt: state.debt,
    tier: state.tier ?? null,
    tierSince: state.tierSince ?? null,
    reviewAt: state.reviewAt ?? null,
    qualifying: state.qualifying,
    orders: Object.entries(state.orders).map(([orderId, order]) => [orderId, order.value, order.lotIds, order.reversed, order.feedbackRewarded ? 1 : 0, order.points, order.orderLotId === undefined ? -1 : order.lotIds.indexOf(order.orderLotId), order.orderLotPoints]),
    handled: Object.keys(state.handled),
    redemptions: Object.entries(state.redemptions).map(([key, answer]) => [key, answer.eventId, answer.points, answer.reason]),
    adjustments: Object.entries(state.adjustments).map(([key, answer]) => [key, answer.eventId, answer.points, answer.reason]),
    lifetimeEarned: state.lifetimeEarned,
    ordersEarned: state.ordersEarned,
    lastEventAt: state.lastEventAt ?? null,
  };
  return JSON.stringify(cached);
}

/** The fold a cache row holds, or undefined when the row is in a shape this code does not read. */
export function decodeState(raw: unknown): LoyaltyState | undefined {
  const cached = (typeof raw === 'string' ? JSON.parse(raw) : raw) as CachedState | null;
  if (cached === null || typeof cached !== 'object' || cached.v !== CACHED_STATE_VERSION) return undefined;
  const answers = (list: CachedState['redemptions']): Record<string, Answer> => {
    const out: Record<string, Answer> = {};
    for (const [key, eventId, points, reason] of list) out[key] = { eventId, points, reason };
    return out;
  };
  const orders: Record<string, OrderRecord> = {};
  for (const [orderId, value, lotIds, reversed, feedbackRewarded, points, orderLot, orderLotPoints] of cached.orders) {
    orders[orderId] = { value, lotIds, reversed, feedbackRewarded: feedbackRewarded === 1, points, ...(orderLot >= 0 ? { orderLotId: lotIds[orderLot] } : {}), orderLotPoints };
  }
  const handled: Record<string, true> = {};
  for (const id of cached.handled) handled[id] = true;
  return {
    lots: cached.lots.map(([lotId, reason, orderId, points, remaining, status, earnedAt, pendingUntil, expiresAt, qualifying]) => ({
      lotId,
      reason,
      ...(orderId !== null ? { orderId } : {}),
      points,
      remaining,
      status,
      earnedAt,
      pendingUntil: pendingUntil ?? earnedAt,
      ...(expiresAt !== null ? { expiresAt } : {}),
      qualifying: qualifying === 1,
    })),
    debt: cached.debt,
    tier: cached.tier ?? undefined,
    tierSince: cached.tierSince ?? undefined,
    reviewAt: cached.reviewAt ?? undefined,
    qualifying: cached.qualifying,
    orders,
    handled,
    redemptions: answers(cached.redemptions),
    adjustments: answers(cached.adjustments),
    lifetimeEarned: cached.lifetimeEarned,
    ordersEarned: cached.ordersEarned,
    lastEventAt: cached.lastEventAt ?? undefined,
  };
}
