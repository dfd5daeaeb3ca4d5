import { z } from 'zod';
import { identifier, line, sku } from './fields';
import { defineEvent } from './registry';

export const visitChannel = z.enum(['web', 'app', 'store']);

// Page and product counts come from web and app sessions; a store visit may only carry a duration.
export const visitRecordedData = z.strictObject({
  sessionId: identifier,
  channel: visitChannel,
  pages: z.number().int().nonnegative().max(100_000).optional(),
  durationSeconds: z.number().int().nonnegative().max(7 * 24 * 3600).optional(),
  landingPage: line(2000).optional(),
  referrer: line(2000).optional(),
  productsViewed: z.array(sku).max(500).optional(),
  storeId: identifier.optional(),
  campaign: line(100).optional(),
});

export const visitEvents = {
  VisitRecorded: defineEvent(visitRecordedData),
};
