import { z } from 'zod';
import {
  contactChannel,
  currency,
  identifier,
  isoDate,
  isoDateTime,
  line,
  minorUnits,
  phone,
  text,
  timeOfDay,
} from './fields';
import { decidedBy, defineEvent } from './registry';

export const complaintCategory = z.enum(['delivery', 'product', 'billing', 'refund', 'service', 'website', 'other']);
export const complaintSeverity = z.enum(['low', 'medium', 'high', 'critical']);
export const complaintChannel = z.enum(['email', 'phone', 'chat', 'web', 'store', 'social']);

export const complaintFiledData = z.strictObject({
  complaintId: identifier,
  category: complaintCategory,
  severity: complaintSeverity,
  channel: complaintChannel,
  orderId: identifier.optional(),
  summary: text(2000),
});

export const complaintRespondedData = z.strictObject({
  complaintId: identifier,
  message: text(4000),
  channel: complaintChannel.optional(),
  /** The answer asks the customer for information: the resolution clock waits until their next inbound message. */
  awaitingCustomer: z.boolean().optional(),
});

export const complaintAssignedData = z.strictObject({
  complaintId: identifier,
  /** The staff member who now owns the complaint. */
  assigneeId: identifier,
});

export const complaintEscalatedData = z.strictObject({
  complaintId: identifier,
  /** 1 = team lead, higher levels further up; set by the support desk. */
  level: z.number().int().min(1).max(5),
  reason: line(500).optional(),
});

// Goodwill paid out is a cost to serve, which value segments subtract from revenue.
export const compensation = z.strictObject({
  amount: minorUnits,
  currency,
});

export const complaintResolvedData = z.strictObject({
  complaintId: identifier,
  resolution: text(2000),
  compensation: compensation.optional(),
  /** Loyalty points granted as goodwill; the loyalty service awards them. */
  compensationPoints: z.number().int('must be a whole number of points').positive('must be at least 1').max(1_000_000).optional(),
});

export const complaintReopenedData = z.strictObject({
  complaintId: identifier,
  reason: line(500).optional(),
});

const isTime = (value: string) => timeOfDay.safeParse(value).success;

export const preferredWindow = z
  .strictObject({
    from: timeOfDay,
    to: timeOfDay,
    /** The day asked for; any day when left out. */
    date: isoDate.optional(),
    /** IANA time zone of `from`/`to`, e.g. Europe/London; the seller's own zone when left out. */
    timeZone: line(64).optional(),
  })
  .refine((window) => !isTime(window.from) || !isTime(window.to) || window.from < window.to, {
    message: 'must be later than from',
    path: ['to'],
  });

export const callbackRequestedData = z.strictObject({
  callbackId: identifier,
  reason: line(500),
  phone,
  preferredWindow,
  complaintId: identifier.optional(),
  orderId: identifier.optional(),
});

export const callbackScheduledData = z.strictObject({
  callbackId: identifier,
  scheduledFor: isoDateTime,
  assigneeId: identifier.optional(),
});

export const callbackOutcome = z.enum(['resolved', 'follow_up_needed', 'no_answer', 'voicemail', 'wrong_number', 'declined']);

export const callbackCompletedData = z.strictObject({
  callbackId: identifier,
  outcome: callbackOutcome,
  durationSeconds: z.number().int().nonnegative().max(24 * 3600).optional(),
  notes: text(4000).optional(),
});

export const callbackCancelledData = z.strictObject({
  callbackId: identifier,
  reason: line(500).optional(),
});

export const feedbackGivenData = z
  .strictObject({
    /** Satisfaction, 1 (poor) to 5 (excellent). */
    rating: z.number().int().min(1).max(5).optional(),
    /** Net Promoter Score answer, 0 to 10. */
    nps: z.number().int().min(0).max(10).optional(),
    comment: text(4000).optional(),
    orderId: identifier.optional(),
    complaintId: identifier.optional(),
  })
  .refine((feedback) => feedback.rating !== undefined || feedback.nps !== undefined, {
    message: 'rating or nps is required',
    path: ['rating'],
  })
  .meta({ anyOf: [{ required: ['rating'] }, { required: ['nps'] }] });

export const messageDirection = z.enum(['inbound', 'outbound']);

export const messageSentData = z.strictObject({
  channel: contactChannel,
  direction: messageDirection,
  subject: line(300).optional(),
  /** Marketing campaign the message belongs to; absent for one-to-one service messages. */
  campaign: line(100).optional(),
  complaintId: identifier.optional(),
});

export const caseKind = z.enum(['complaint', 'callback']);
export const slaMetric = z.enum(['first_response', 'next_response', 'resolution', 'callback']);

/** Decided by the cases service's scheduler at the due instant; emitters never send it. */
export const slaBreachedData = z.strictObject({
  caseKind,
  /** The complaint's or callback's id. */
  caseId: identifier,
  metric: slaMetric,
  dueAt: isoDateTime,
  /** When the breach was decided (the scheduler's clock, at or after dueAt). */
  at: isoDateTime,
});

/**
 * Decided by the cases service when a late event shows a recorded breach no longer stands
 * (the clock was met in time, or its due instant moved); pairs with the breach by metric and dueAt.
 */
export const slaBreachWithdrawnData = z.strictObject({
  caseKind,
  caseId: identifier,
  metric: slaMetric,
  /** The due instant of the breach withdrawn. */
  dueAt: isoDateTime,
  /** When the withdrawal was decided (the scheduler's clock). */
  at: isoDateTime,
  /** Why it no longer stands, e.g. `met at 2030-03-04T12:30:00.000Z`. */
  reason: line(300),
});

export const serviceEvents = {
  ComplaintFiled: defineEvent(complaintFiledData),
  ComplaintResponded: defineEvent(complaintRespondedData),
  ComplaintEscalated: defineEvent(complaintEscalatedData),
  ComplaintResolved: defineEvent(complaintResolvedData),
  ComplaintReopened: defineEvent(complaintReopenedData),
  ComplaintAssigned: defineEvent(complaintAssignedData),
  SlaBreached: defineEvent(slaBreachedData),
  SlaBreachWithdrawn: defineEvent(slaBreachWithdrawnData),
  CallbackRequested: defineEvent(callbackRequestedData),
  CallbackScheduled: defineEvent(callbackScheduledData),
  CallbackCompleted: defineEvent(callbackCompletedData),
  CallbackCancelled: defineEvent(callbackCancelledData),
  FeedbackGiven: defineEvent(feedbackGivenData),
  MessageSent: defineEvent(messageSentData),
};

/** Only the cases service appends these (to `complaint-<id>` / `callback-<id>`). */
export const serviceDecisions = decidedBy('cases', serviceEvents, ['SlaBreached', 'SlaBreachWithdrawn']);

/** `complaint-<complaintId>`: staff actions and the cases service's decisions about one complaint. */
export function complaintStreamId(complaintId: string): string {
  return `complaint-${complaintId}`;
}

/** `callback-<callbackId>`: staff actions and the cases service's decisions about one callback. */
export function callbackStreamId(callbackId: string): string {
  return `callback-${callbackId}`;
}
