import type { LoyaltyEvent, LoyaltyEventOf, LoyaltyEventType } from './catalogue';
import { EXAMPLE_CUSTOMER_ID } from './examples';

const LOT = '7a1c0a52-3f0e-5d3b-9a43-0c6c1e2f0001';
const BONUS_LOT = '7a1c0a52-3f0e-5d3b-9a43-0c6c1e2f0002';
const ORDER_EVENT = '00000000-0000-4000-8000-000000000004';
const RULES = { rulesVersion: '2024-01' };

type Body = Pick<LoyaltyEvent, 'type' | 'data'> & { occurredAt: string };

// The loyalty side of the example customer's first order, in order.
const STORY: Body[] = [
  { type: 'PointsEarned', occurredAt: '2024-03-02T21:00:00.000Z', data: { lotId: LOT, reason: 'order', points: 33, orderId: 'ord-536365', baseValue: 3390, pendingUntil: '2024-03-16T21:00:00.000Z', qualifying: true, rule: 'earn.order', ...RULES, sourceEventId: ORDER_EVENT } },
  { type: 'PointsEarned', occurredAt: '2024-03-02T21:00:00.000Z', data: { lotId: BONUS_LOT, reason: 'first_order', points: 50, orderId: 'ord-536365', pendingUntil: '2024-03-16T21:00:00.000Z', qualifying: true, rule: 'earn.first_order_bonus', ...RULES, sourceEventId: ORDER_EVENT } },
  { type: 'TierChanged', occurredAt: '2024-03-02T21:00:00.000Z', data: { from: 'Bronze', to: 'Silver', direction: 'up', qualifyingPoints: 583, reviewAt: '2025-03-02T21:00:00.000Z', rule: 'tier.upgrade', ...RULES, sourceEventId: ORDER_EVENT } },
  { type: 'PointsReversed', occurredAt: '2024-03-08T09:00:00.000Z', data: { reason: 'order_returned', orderId: 'ord-536365', points: 6, consumed: [{ lotId: LOT, points: 6 }], debt: 0, shortfall: 0, refundAmount: 620, orderValue: 3390, rule: 'reverse.return', ...RULES, sourceEventId: '00000000-0000-4000-8000-000000000014' } },
  { type: 'PointsBecameAvailable', occurredAt: '2024-03-16T21:00:00.000Z', data: { lotId: LOT, points: 27, appliedToDebt: 0, expiresAt: '2025-03-16T21:00:00.000Z', rule: 'lot.available', ...RULES, sourceEventId: `lot:${LOT}` } },
  { type: 'PointsRedeemed', occurredAt: '2024-04-01T10:00:00.000Z', data: { redemptionId: '7a1c0a52-3f0e-5d3b-9a43-0c6c1e2f0003', points: 20, reason: 'Voucher at checkout', idempotencyKey: 'checkout-881', consumed: [{ lotId: LOT, points: 20 }], rule: 'redeem.fifo', ...RULES, sourceEventId: 'redemption:checkout-881' } },
  { type: 'PointsAdjusted', occurredAt: '2024-04-02T10:00:00.000Z', data: { adjustmentId: '7a1c0a52-3f0e-5d3b-9a43-0c6c1e2f0004', points: 10, reason: 'Points missing from a store purchase', lotId: '7a1c0a52-3f0e-5d3b-9a43-0c6c1e2f0005', expiresAt: '2025-04-02T10:00:00.000Z', appliedToDebt: 0, rule: 'adjust.admin', ...RULES, sourceEventId: 'adjustment:store-1' } },
  { type: 'PointsExpired', occurredAt: '2025-03-16T21:00:00.000Z', data: { lotId: LOT, points: 7, rule: 'lot.expiry', ...RULES, sourceEventId: `lot:${LOT}` } },
];

/** A valid loyalty event of every type about `EXAMPLE_CUSTOMER_ID`, in time order, with fixed ids. */
export function exampleLoyaltyEvents(): LoyaltyEvent[] {
  return STORY.map((body, index) => ({
    id: `00000000-0000-4000-9000-${String(index + 1).padStart(12, '0')}`,
    type: body.type,
    version: 1,
    customerId: EXAMPLE_CUSTOMER_ID,
    occurredAt: body.occurredAt,
    source: 'loyalty',
    causationId: body.data.sourceEventId,
    ...(body.type === 'PointsAdjusted' ? { actor: { id: 'admin-1', name: 'Sam Lee' } } : {}),
    data: structuredClone(body.data),
  })) as LoyaltyEvent[];
}

export function exampleLoyaltyEvent<T extends LoyaltyEventType>(type: T): LoyaltyEventOf<T> {
  const found = exampleLoyaltyEvents().find((event) => event.type === type);
  if (!found) throw new Error(`no example for ${type}`);
  return found as LoyaltyEventOf<T>;
}
