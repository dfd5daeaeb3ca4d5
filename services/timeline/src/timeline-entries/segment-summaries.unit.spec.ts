import type { SegmentEvent } from '@rapport/contracts';
import { entryDetails } from './summaries';

const changed = (scores?: { r: number; f: number; m: number }): SegmentEvent => ({
  id: '00000000-0000-4000-a000-000000000001',
  type: 'CustomerSegmentChanged',
  version: 1,
  customerId: 'cust-1001',
  occurredAt: '2024-06-30T00:00:00.000Z',
  source: 'segments',
  data: { from: 'potential_loyalists', to: 'at_risk', ...(scores ? { scores } : {}), asOf: '2024-06-30T00:00:00.000Z', previousAsOf: '2024-03-31T00:00:00.000Z' },
});

describe('timeline summaries of segment changes', () => {
  it('reads a segment change as one line with its scores', () => {
    expect(entryDetails(changed({ r: 2, f: 4, m: 5 }))).toEqual({
      summary: 'Segment potential loyalists → at risk (RFM 245)',
      publicSummary: 'Segment potential loyalists → at risk (RFM 245)',
      channel: null,
      amount: null,
      currency: null,
      refs: [],
    });
    expect(entryDetails(changed()).summary).toBe('Segment potential loyalists → at risk');
  });
});
