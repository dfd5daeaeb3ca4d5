import { z } from 'zod';
import { identifier, line } from './fields';
import { decidedBy, defineEvent } from './registry';

/**
 * An admin found that two customer ids are one person: the event's customer is merged into
 * `into`, whose read models then include its history. Read models keep each customer's own
 * rows and resolve the merge when they answer, so an unmerge gives back exactly what was there.
 */
export const customersMergedData = z.strictObject({
  into: identifier,
  reason: line(500),
});

/** A merge is undone: the event's customer, merged into `from`, is its own customer again. */
export const customersUnmergedData = z.strictObject({
  from: identifier,
  reason: line(500).optional(),
});

export const mergeEvents = {
  CustomersMerged: defineEvent(customersMergedData),
  CustomersUnmerged: defineEvent(customersUnmergedData),
};

/** Only the identity slice (in the timeline service) appends merges, after checking the merge graph. */
export const mergeDecisions = decidedBy('timeline', mergeEvents, undefined, 'the merge API (POST /v1/customers/{id}/merge or /unmerge)');

/** The merge decisions, which read models resolving merges at read time leave out of their event types. */
export const MERGE_DECISION_TYPES: readonly string[] = Object.keys(mergeDecisions);

/**
 * Every merge and unmerge in one stream: merges are rare admin acts, and one stream lets each
 * decision see all earlier ones (no self-merge, no cycle, no chain) under one expected revision.
 */
export const MERGES_STREAM = 'merges-all';
