import type { EventOf } from '@rapport/contracts';

export type CaseKind = 'complaint' | 'callback';
export type ComplaintStatus = 'open' | 'responded' | 'escalated' | 'resolved' | 'reopened';
export type CallbackStatus = 'requested' | 'scheduled' | 'completed' | 'cancelled';
/** `none`: nothing is known about the case yet (no filing or request seen). */
export type CaseStatus = ComplaintStatus | CallbackStatus | 'none';

/** The event types that change a case; MessageSent and FeedbackGiven count when they name a complaint. */
export const CASE_EVENT_TYPES = [
  'ComplaintFiled',
  'ComplaintResponded',
  'ComplaintEscalated',
  'ComplaintAssigned',
  'ComplaintResolved',
  'ComplaintReopened',
  'CallbackRequested',
  'CallbackScheduled',
  'CallbackCompleted',
  'CallbackCancelled',
  'MessageSent',
  'FeedbackGiven',
  'SlaBreached',
  'SlaBreachWithdrawn',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** What the fold needs of an event: its type, data, when it happened and who caused it. */
export type CaseEvent = {
  [T in CaseEventType]: Pick<EventOf<T>, 'type' | 'data' | 'occurredAt'> & { id?: string; customerId?: string; actor?: { id: string; name?: string } };
}[CaseEventType];

export interface CaseState {
  kind: CaseKind | null;
  caseId: string | null;
  customerId: string | null;
  status: CaseStatus;
  severity: string | null;
  category: string | null;
  channel: string | null;
  orderId: string | null;
  /** Callbacks: why the customer (or the segments service, `retention`) asked. */
  reason: string | null;
  assigneeId: string | null;
  escalationLevel: number;
  openedAt: string | null;
  closedAt: string | null;
  scheduledFor: string | null;
  preferredWindow: { from: string; to: string; date?: string; timeZone?: string } | null;
  phone: string | null;
  complaintId: string | null;
  outcome: string | null;
  /** Transitions outside systems reported that make no sense in the state they arrived in; kept, never dropped. */
  flags: string[];
  feedbackRequested: boolean;
  /** Event ids folded in, so a command retried with the same idempotency key is answered, not applied twice. */
  eventIds: string[];
}

export function initialState(): CaseState {
  return {
    kind: null,
    caseId: null,
    customerId: null,
    status: 'none',
    severity: null,
    category: null,
    channel: null,
    orderId: null,
    reason: null,
    assigneeId: null,
    escalationLevel: 0,
    openedAt: null,
    closedAt: null,
    scheduledFor: null,
    preferredWindow: null,
    phone: null,
    complaintId: null,
    outcome: null,
    flags: [],
    feedbackRequested: false,
    eventIds: [],
  };
}

export const FEEDBACK_SUBJECT = 'How did we do?';

const OPEN_COMPLAINT: readonly CaseStatus[] = ['open', 'responded', 'escalated', 'reopened'];

/**
 * Why a transition makes no sense in `state`, or undefined when it does. The decider turns a
 * reason into a 409 for staff commands; the fold turns it into a flag for outside facts.
 */
export function transitionProblem(state: CaseState, type: CaseEventType, detail: { level?: number } = {}): string | undefined {
  const { status } = state;
  const is = (...allowed: CaseStatus[]) => allowed.includes(status);
  switch (type) {
    case 'ComplaintFiled':
      return status === 'none' ? undefined : 'it was already filed';
    case 'ComplaintResponded':
    case 'ComplaintAssigned':
      return OPEN_COMPLAINT.includes(status) ? undefined : status === 'none' ? 'it was never filed' : 'it is not open';
    case 'ComplaintEscalated':
      if (!OPEN_COMPLAINT.includes(status)) return status === 'none' ? 'it was never filed' : 'it is not open';
      return detail.level !== undefined && detail.level <= state.escalationLevel ? `it is already at level ${state.escalationLevel}` : undefined;
    case 'ComplaintResolved':
      return is('responded', 'escalated', 'reopened') ? undefined : status === 'open' ? 'the customer has not been answered yet' : status === 'none' ? 'it was never filed' : 'it is already resolved';
    case 'ComplaintReopened':
      return is('resolved') ? undefined : status === 'none' ? 'it was never filed' : 'it is not resolved';
    case 'CallbackRequested':
      return status === 'none' ? undefined : 'it was already requested';
    case 'CallbackScheduled':
      return is('requested', 'scheduled') ? undefined : status === 'none' ? 'it was never requested' : 'it is closed';
    case 'CallbackCompleted':
      return is('scheduled') ? undefined : status === 'requested' ? 'it is not scheduled yet' : status === 'none' ? 'it was never requested' : 'it is closed';
    case 'CallbackCancelled':
      return is('requested', 'scheduled') ? undefined : status === 'none' ? 'it was never requested' : 'it is closed';
    case 'MessageSent':
    case 'FeedbackGiven':
    case 'SlaBreached':
    case 'SlaBreachWithdrawn':
      return undefined;
    default: {
      const unknown: never = type;
      throw new Error(`no transition rule for ${String(unknown)}`);
    }
  }
}

/**
 * Folds one event into the case. Facts are applied whatever the state (they already
 * happened); one that makes no sense there adds a flag naming it and the state it met.
 */
export function evolve(state: CaseState, event: CaseEvent): CaseState {
  const next: CaseState = { ...state, flags: [...state.flags], eventIds: event.id ? [...state.eventIds, event.id] : state.eventIds };
  if (event.customerId && !next.customerId) next.customerId = event.customerId;
  const detail = event.type === 'ComplaintEscalated' ? { level: event.data.level } : {};
  const problem = transitionProblem(state, event.type, detail);
  if (problem) next.flags.push(`${event.type} at ${event.occurredAt} while ${state.status}: ${problem}`);
  switch (event.type) {
    case 'ComplaintFiled': {
      const { complaintId, category, severity, channel, orderId } = event.data;
      Object.assign(next, { kind: 'complaint', caseId: complaintId, category, severity, channel, orderId: orderId ?? null });
      next.openedAt ??= event.occurredAt;
      if (state.status === 'none') next.status = 'open';
      return next;
    }
    case 'ComplaintResponded':
      claimComplaint(next, event.data.complaintId);
      if (state.status === 'open' || state.status === 'reopened' || state.status === 'none') next.status = 'responded';
      return next;
    case 'ComplaintEscalated':
      claimComplaint(next, event.data.complaintId);
      next.escalationLevel = Math.max(state.escalationLevel, event.data.level);
      if (state.status !== 'resolved') next.status = 'escalated';
      return next;
    case 'ComplaintAssigned':
      claimComplaint(next, event.data.complaintId);
      next.assigneeId = event.data.assigneeId;
      return next;
    case 'ComplaintResolved':
      claimComplaint(next, event.data.complaintId);
      next.status = 'resolved';
      next.closedAt = event.occurredAt;
      return next;
    case 'ComplaintReopened':
      claimComplaint(next, event.data.complaintId);
      next.status = 'reopened';
      next.closedAt = null;
      return next;
    case 'CallbackRequested': {
      const { callbackId, reason, phone, preferredWindow, complaintId, orderId } = event.data;
      Object.assign(next, { kind: 'callback', caseId: callbackId, reason, phone, preferredWindow, complaintId: complaintId ?? null, orderId: orderId ?? null, channel: 'phone' });
      next.openedAt ??= event.occurredAt;
      if (state.status === 'none') next.status = 'requested';
      return next;
    }
    case 'CallbackScheduled':
      claimCallback(next, event.data.callbackId);
      next.scheduledFor = event.data.scheduledFor;
      if (event.data.assigneeId) next.assigneeId = event.data.assigneeId;
      if (state.status === 'none' || state.status === 'requested') next.status = 'scheduled';
      return next;
    case 'CallbackCompleted':
      claimCallback(next, event.data.callbackId);
      next.outcome = event.data.outcome;
      next.status = 'completed';
      next.closedAt = event.occurredAt;
      return next;
    case 'CallbackCancelled':
      claimCallback(next, event.data.callbackId);
      // A completed callback stays completed: a late cancellation is only flagged.
      if (state.status !== 'completed') {
        next.status = 'cancelled';
        next.closedAt = event.occurredAt;
      }
      return next;
    case 'MessageSent':
      if (event.data.direction === 'outbound' && event.data.subject === FEEDBACK_SUBJECT) next.feedbackRequested = true;
      return next;
    case 'FeedbackGiven':
    case 'SlaBreached':
    case 'SlaBreachWithdrawn':
      return next;
    default: {
      const unknown: never = event;
      throw new Error(`no case reading for ${(unknown as { type: string }).type}`);
    }
  }
}

export function fold(events: readonly CaseEvent[], state = initialState()): CaseState {
  return events.reduce(evolve, state);
}

function claimComplaint(state: CaseState, complaintId: string): void {
  state.kind ??= 'complaint';
  state.caseId ??= complaintId;
}

function claimCallback(state: CaseState, callbackId: string): void {
  state.kind ??= 'callback';
  state.caseId ??= callbackId;
}
