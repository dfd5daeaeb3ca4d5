import { exampleLoyaltyEvents } from '@rapport/contracts';
import { entryDetails } from './summaries';

describe('timeline summaries of loyalty decisions', () => {
  it('reads every loyalty event as one line', () => {
    const lines = Object.fromEntries(exampleLoyaltyEvents().map((event) => [`${event.type}:${event.id.slice(-2)}`, entryDetails(event).summary]));
    expect(lines).toEqual({
      'PointsEarned:01': 'Earned 33 points on order #ord-536365 (pending until 16 Mar)',
      'PointsEarned:02': 'Earned 50 points — first-order bonus on order #ord-536365 (pending until 16 Mar)',
      'TierChanged:03': 'Tier Bronze → Silver',
      'PointsReversed:04': '6 points reversed — order #ord-536365 returned',
      'PointsBecameAvailable:05': '27 points became available',
      'PointsRedeemed:06': 'Redeemed 20 points',
      'PointsAdjusted:07': 'Points adjusted by +10 points',
      'PointsExpired:08': '7 points expired',
    });
  });

  it('links earnings and reversals to their order', () => {
    const [earned] = exampleLoyaltyEvents();
    expect(entryDetails(earned).refs).toEqual(['order:ord-536365']);
  });
});
