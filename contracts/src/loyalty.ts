import { z } from 'zod';
import { identifier, isoDateTime, line } from './fields';
import { decidedBy, defineEvent } from './registry';

// Loyalty events are decisions of the loyalty service, appended to `loyalty-<customerId>`;
// emitters never send them (parseEvent rejects them), every reader gets them back upcast.

/** Largest point amount one movement may carry; well beyond any real order, far from float trouble. */
export const MAX_POINTS = 1_000_000_000;

export const points = z.number().int('must be a whole number of points').positive('must be at least 1').max(MAX_POINTS);
const pointsOrZero = z.number().int('must be a whole number of points').nonnegative('must not be negative').max(MAX_POINTS);

export const tierName = line(50);

/** Why points were earned; `order`, `first_order` and `feedback` count towards tiers. */
export const earnReason = z.enum(['order', 'first_order', 'feedback', 'goodwill', 'adjustment']);

/** Which rule of which rules-file version made a decision, for tracing a movement. */
const provenance = {
  rule: line(100),
  rulesVersion: line(50),
  /** The customer fact or command the movement answers (event id, or `redemption:<key>`). */
  sourceEventId: line(200),
};

/** The part of one lot a movement took. */
export const lotShare = z.strictObject({ lotId: z.uuid(), points });

export const pointsEarnedData = z.strictObject({
  lotId: z.uuid(),
  reason: earnReason,
  points,
  orderId: identifier.optional(),
  complaintId: identifier.optional(),
  /** Net value the points were computed from, in minor units of the base currency. */
  baseValue: pointsOrZero.optional(),
  /** While set and in the future the lot is pending; it becomes available by a PointsBecameAvailable. */
  pendingUntil: isoDateTime.optional(),
  /** Counts towards the customer's tier. */
  qualifying: z.boolean(),
  /** Available lots only: when they expire. */
  expiresAt: isoDateTime.optional(),
  ...provenance,
});

export const pointsBecameAvailableData = z.strictObject({
  lotId: z.uuid(),
  points,
  /** Part of the lot that paid back a negative balance instead of becoming spendable. */
  appliedToDebt: pointsOrZero,
  expiresAt: isoDateTime,
  ...provenance,
});

export const pointsRedeemedData = z.strictObject({
  redemptionId: z.uuid(),
  points,
  reason: line(500),
  idempotencyKey: line(200),
  /** Lots consumed, oldest first. */
  consumed: z.array(lotShare).min(1).max(100_000),
  ...provenance,
});

export const reversalReason = z.enum(['order_cancelled', 'order_returned']);

export const pointsReversedData = z.strictObject({
  reason: reversalReason,
  orderId: identifier,
  /** Points the rule clawed back in total: taken from lots, plus debt, plus shortfall. */
  points,
  consumed: z.array(lotShare).max(100_000),
  /** Taken beyond what the lots held, leaving the balance negative (mode `allow`). */
  debt: pointsOrZero,
  /** Not clawed back because the balance may not go negative (mode `clamp`). */
  shortfall: pointsOrZero,
  /** Refund and order value behind a proportional claw-back, minor units. */
  refundAmount: pointsOrZero.optional(),
  orderValue: pointsOrZero.optional(),
  ...provenance,
});

export const pointsExpiredData = z.strictObject({
  lotId: z.uuid(),
  points,
  ...provenance,
});

export const pointsAdjustedData = z.strictObject({
  adjustmentId: z.uuid(),
  /** Positive adds an available lot (`lotId`), negative takes from lots (`consumed`). */
  points: z.number().int('must be a whole number of points').min(-MAX_POINTS).max(MAX_POINTS).refine((value) => value !== 0, 'must not be 0'),
  reason: line(500),
  lotId: z.uuid().optional(),
  expiresAt: isoDateTime.optional(),
  consumed: z.array(lotShare).max(100_000).optional(),
  appliedToDebt: pointsOrZero.optional(),
  ...provenance,
});

export const tierChangedData = z.strictObject({
  from: tierName,
  to: tierName,
  direction: z.enum(['up', 'down']),
  /** Qualifying points earned in the rolling window when the change was decided. */
  qualifyingPoints: z.number().int().min(-MAX_POINTS).max(MAX_POINTS),
  /** When the new tier's term ends and it is reviewed. */
  reviewAt: isoDateTime,
  ...provenance,
});

export const loyaltyEvents = {
  PointsEarned: defineEvent(pointsEarnedData),
  PointsBecameAvailable: defineEvent(pointsBecameAvailableData),
  PointsRedeemed: defineEvent(pointsRedeemedData),
  PointsReversed: defineEvent(pointsReversedData),
  PointsExpired: defineEvent(pointsExpiredData),
  PointsAdjusted: defineEvent(pointsAdjustedData),
  TierChanged: defineEvent(tierChangedData),
};

/** Every loyalty event is the loyalty service's decision. */
export const loyaltyDecisions = decidedBy('loyalty', loyaltyEvents);


/** `loyalty-<customerId>`: the loyalty service's decisions about one customer. */
export function loyaltyStreamId(customerId: string): string {
  return `loyalty-${customerId}`;
}
