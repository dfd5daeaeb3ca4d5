import { z } from 'zod';
import { isoDateTime } from './fields';
import { decidedBy, defineEvent } from './registry';

// Segment events are decisions of the segments service, appended to `segment-<customerId>`;
// emitters never send them (parseEvent rejects them).

/** RFM segments, plus `prospect` for a customer with no order (or not scored before). */
export const segmentName = z.enum([
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
  'prospect',
]);

const score = z.number().int().min(1).max(5);

export const customerSegmentChangedData = z.strictObject({
  from: segmentName,
  to: segmentName,
  /** The scores that placed the customer in `to` (absent when `to` is prospect). */
  scores: z.strictObject({ r: score, f: score, m: score }).optional(),
  /** As-of instant of the snapshot that saw the change. */
  asOf: isoDateTime,
  /** As-of instant of the snapshot the customer was in `from`. */
  previousAsOf: isoDateTime,
});

export const segmentEvents = {
  CustomerSegmentChanged: defineEvent(customerSegmentChangedData),
};

/** Every segment event is the segments service's decision. */
export const segmentDecisions = decidedBy('segments', segmentEvents);


/** `segment-<customerId>`: the segments service's decisions about one customer. */
export function segmentStreamId(customerId: string): string {
  return `segment-${customerId}`;
}
