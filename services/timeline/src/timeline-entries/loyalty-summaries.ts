import type { LoyaltyEvent } from '@rapport/contracts';
import type { EntryDetails } from './summaries';

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const points = (count: number) => `${count.toLocaleString('en-GB')} point${Math.abs(count) === 1 ? '' : 's'}`;
const about = (orderId: string | undefined) => (orderId === undefined ? [] : [`order:${orderId}`]);
const EARNED_FOR: Record<string, string> = { first_order: 'first-order bonus', feedback: 'feedback bonus', goodwill: 'goodwill', adjustment: 'adjustment' };

/** The timeline's one line for a loyalty decision; no free text of the customer's, so both summaries agree. */
export function loyaltyEntryDetails(event: LoyaltyEvent): EntryDetails {
  const line = (summary: string, refs: readonly string[] = []): EntryDetails => ({
    summary,
    publicSummary: summary,
    channel: null,
    amount: null,
    currency: null,
    refs,
  });
  switch (event.type) {
    case 'PointsEarned': {
      const { reason, orderId, pendingUntil } = event.data;
      const pending = pendingUntil ? ` (pending until ${DAY.format(new Date(pendingUntil))})` : '';
      const what = reason === 'order' ? `on order #${orderId}` : `— ${EARNED_FOR[reason]}${orderId ? ` on order #${orderId}` : ''}`;
      return line(`Earned ${points(event.data.points)} ${what}${pending}`, about(orderId));
    }
    case 'PointsBecameAvailable':
      return line(`${points(event.data.points)} became available`);
    case 'PointsRedeemed':
      return line(`Redeemed ${points(event.data.points)}`);
    case 'PointsReversed': {
      const { orderId, reason } = event.data;
      return line(`${points(event.data.points)} reversed — order #${orderId} ${reason === 'order_cancelled' ? 'cancelled' : 'returned'}`, about(orderId));
    }
    case 'PointsExpired':
      return line(`${points(event.data.points)} expired`);
    case 'PointsAdjusted':
      return line(`Points adjusted by ${event.data.points > 0 ? '+' : ''}${points(event.data.points)}`);
    case 'TierChanged':
      return line(`Tier ${event.data.from} → ${event.data.to}`);
    default: {
      const unknown: never = event;
      throw new Error(`no timeline reading for ${(unknown as { type: string }).type}`);
    }
  }
}
