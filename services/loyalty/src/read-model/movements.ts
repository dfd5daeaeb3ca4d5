import type { StoredLoyaltyEvent } from '@rapport/contracts';
import type { LoyaltyState } from '../account/state';

/** How one loyalty event moves the two balances, and what the ledger says about it. */
export interface Movement {
  readonly availableDelta: number;
  readonly pendingDelta: number;
  readonly reason: string;
  readonly lotId: string | null;
  readonly orderId: string | null;
}

/** Reads the movement of an event against the account as it was just before it. */
export function movementOf(event: StoredLoyaltyEvent, before: LoyaltyState): Movement {
  const pendingLot = (lotId: string) => before.lots.find((lot) => lot.lotId === lotId)?.status === 'pending';
  switch (event.type) {
    case 'PointsEarned':
      return { availableDelta: 0, pendingDelta: event.data.points, reason: event.data.reason, lotId: event.data.lotId, orderId: event.data.orderId ?? null };
    case 'PointsBecameAvailable':
      return { availableDelta: event.data.points, pendingDelta: -event.data.points, reason: event.data.appliedToDebt > 0 ? `available, ${event.data.appliedToDebt} paid back debt` : 'available', lotId: event.data.lotId, orderId: null };
    case 'PointsRedeemed':
      return { availableDelta: -event.data.points, pendingDelta: 0, reason: event.data.reason, lotId: null, orderId: null };
    case 'PointsReversed': {
      let fromPending = 0;
      let fromAvailable = 0;
      for (const share of event.data.consumed) {
        if (pendingLot(share.lotId)) fromPending += share.points;
        else fromAvailable += share.points;
      }
      const shortfall = event.data.shortfall > 0 ? `, ${event.data.shortfall} not clawed back` : '';
      return { availableDelta: -(fromAvailable + event.data.debt), pendingDelta: -fromPending, reason: `${event.data.reason.replace('_', ' ')}${shortfall}`, lotId: null, orderId: event.data.orderId };
    }
    case 'PointsExpired':
      return { availableDelta: -event.data.points, pendingDelta: 0, reason: 'expired', lotId: event.data.lotId, orderId: null };
    case 'PointsAdjusted':
      return { availableDelta: event.data.points, pendingDelta: 0, reason: event.data.reason, lotId: event.data.lotId ?? null, orderId: null };
    case 'TierChanged':
      return { availableDelta: 0, pendingDelta: 0, reason: `tier ${event.data.from} → ${event.data.to}`, lotId: null, orderId: null };
    default: {
      const unknown: never = event;
      throw new Error(`no ledger reading for ${(unknown as { type: string }).type}`);
    }
  }
}
