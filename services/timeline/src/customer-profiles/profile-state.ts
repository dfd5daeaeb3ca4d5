import type { StoredEvent } from '@rapport/contracts';

/**
 * Rows of the profile read model as plain objects, and how each event changes them. Every
 * "latest" is decided by (occurredAt, position), never by arrival order, so a late event
 * lands where it belongs and any delivery order ends in the same rows.
 */

export const IDENTITY_FIELDS = {
  email: 'email',
  phone: 'phone',
  firstName: 'first_name',
  lastName: 'last_name',
  country: 'country',
  locale: 'locale',
  birthDate: 'birth_date',
} as const;
type IdentityColumn = (typeof IDENTITY_FIELDS)[keyof typeof IDENTITY_FIELDS];

export interface Consent {
  readonly granted: boolean;
  readonly changedAt: string;
  readonly key: string;
}

export type ProfileRow = { customer_id: string } & Record<IdentityColumn, string | null> & {
    signup_channel: string | null;
    registered_at: string | null;
    /** Sort key of the registration that set signup_channel and registered_at (the earliest wins). */
    registration_key: string | null;
    /** Per identity column, the sort key of the event that last set it. */
    field_versions: Record<string, string>;
    consents: Record<string, Consent>;
    first_seen: string;
    last_seen: string;
  };

export interface OrderRow {
  customer_id: string;
  order_id: string;
  currency: string | null;
  total: number | null;
  placed_at: string | null;
  status: string;
  status_key: string;
}

export interface RefundRow {
  event_id: string;
  customer_id: string;
  order_id: string;
  currency: string;
  amount: number;
  returned_at: string;
}

export interface ComplaintRow {
  customer_id: string;
  complaint_id: string;
  status: string;
  status_key: string;
  filed_at: string | null;
  category: string | null;
  severity: string | null;
  order_id: string | null;
  escalation_level: number;
}

export interface CallbackRow {
  customer_id: string;
  callback_id: string;
  status: string;
  status_key: string;
  requested_at: string | null;
  preferred_window: unknown;
  scheduled_for: string | null;
  outcome: string | null;
}

export interface VisitorRow {
  anonymous_id: string;
  customer_id: string | null;
  first_seen: string;
  last_seen: string;
}

/** What a batch reads before folding and writes back after. */
export interface ProfileBatchState {
  readonly profiles: Map<string, ProfileRow>;
  readonly orders: Map<string, OrderRow>;
  readonly complaints: Map<string, ComplaintRow>;
  readonly callbacks: Map<string, CallbackRow>;
  readonly visitors: Map<string, VisitorRow>;
  readonly refunds: RefundRow[];
  /** Keys of rows changed by the batch, per map. */
  readonly touched: { profiles: Set<string>; orders: Set<string>; complaints: Set<string>; callbacks: Set<string>; visitors: Set<string> };
}

export const keyOf = (customerId: string, id: string) => `${customerId}\u0000${id}`;

// Shifted by the earliest instant a Date holds, so that pre-1970 (negative) instants sort too.
const INSTANT_SHIFT = 8_640_000_000_000_000n;

/** Sorts like (occurredAt, position), for any instant a Date can hold. */
export function versionKey(event: StoredEvent): string {
  const instant = BigInt(Date.parse(event.occurredAt)) + INSTANT_SHIFT;
  return `${String(instant).padStart(17, '0')}:${String(event.position).padStart(19, '0')}`;
}

const iso = (value: string) => new Date(value).toISOString();
const CALLBACK_FINAL = new Set(['completed', 'cancelled']);

export function emptyProfile(customerId: string, seenAt: string): ProfileRow {
  return {
    customer_id: customerId,
    email: null,
    phone: null,
    first_name: null,
    last_name: null,
    country: null,
    locale: null,
    birth_date: null,
    signup_channel: null,
    registered_at: null,
    registration_key: null,
    field_versions: {},
    consents: {},
    first_seen: seenAt,
    last_seen: seenAt,
  };
}

function seen<T extends { first_seen: string; last_seen: string }>(row: T, at: string): void {
  if (at < row.first_seen) row.first_seen = at;
  if (at > row.last_seen) row.last_seen = at;
}

function profileOf(state: ProfileBatchState, customerId: string, at: string): ProfileRow {
  let profile = state.profiles.get(customerId);
  if (!profile) state.profiles.set(customerId, (profile = emptyProfile(customerId, at)));
  state.touched.profiles.add(customerId);
  return profile;
}

function setIdentity(profile: ProfileRow, fields: Record<string, unknown>, key: string): void {
  for (const [field, column] of Object.entries(IDENTITY_FIELDS)) {
    const value = fields[field];
    if (value === undefined) continue;
    if ((profile.field_versions[column] ?? '') > key) continue;
    profile[column] = (value as string | null) ?? null;
    profile.field_versions[column] = key;
  }
}

function row<R>(map: Map<string, R>, touched: Set<string>, key: string, create: () => R): R {
  let found = map.get(key);
  if (!found) map.set(key, (found = create()));
  touched.add(key);
  return found;
}

function visitorRow(state: ProfileBatchState, anonymousId: string, at: string): VisitorRow {
  return row(state.visitors, state.touched.visitors, anonymousId, () => ({ anonymous_id: anonymousId, customer_id: null, first_seen: at, last_seen: at }));
}

function setStatus(target: { status: string; status_key: string }, status: string, key: string): void {
  if (target.status_key <= key) {
    target.status = status;
    target.status_key = key;
  }
}

/** Applies one event to the batch's rows. Visitor events only move first/last seen. */
export function evolve(state: ProfileBatchState, event: StoredEvent): void {
  const at = iso(event.occurredAt);
  const key = versionKey(event);
  if (event.customerId === undefined) {
    const anonymousId = event.anonymousId as string;
    const visitor = visitorRow(state, anonymousId, at);
    seen(visitor, at);
    if (visitor.customer_id) seen(profileOf(state, visitor.customer_id, at), at);
    return;
  }
  const customerId = event.customerId;
  const profile = profileOf(state, customerId, at);
  seen(profile, at);
  const orderRow = (orderId: string) =>
    row(state.orders, state.touched.orders, keyOf(customerId, orderId), () => ({
      customer_id: customerId,
      order_id: orderId,
      currency: null,
      total: null,
      placed_at: null,
      status: '',
      status_key: '',
    }));
  const complaintRow = (complaintId: string) =>
    row(state.complaints, state.touched.complaints, keyOf(customerId, complaintId), () => ({
      customer_id: customerId,
      complaint_id: complaintId,
      status: '',
      status_key: '',
      filed_at: null,
      category: null,
      severity: null,
      order_id: null,
      escalation_level: 0,
    }));
  const callbackRow = (callbackId: string) =>
    row(state.callbacks, state.touched.callbacks, keyOf(customerId, callbackId), () => ({
      customer_id: customerId,
      callback_id: callbackId,
      status: '',
      status_key: '',
      requested_at: null,
      preferred_window: null,
      scheduled_for: null,
      outcome: null,
    }));

  switch (event.type) {
    case 'CustomerRegistered': {
      setIdentity(profile, event.data, key);
      if (profile.registration_key === null || key < profile.registration_key) {
        profile.registration_key = key;
        profile.registered_at = at;
        profile.signup_channel = event.data.signupChannel ?? null;
      }
      const anonymousId = event.data.previousAnonymousId;
      if (anonymousId) {
        const visitor = visitorRow(state, anonymousId, at);
        visitor.customer_id ??= customerId;
        if (visitor.customer_id === customerId) {
          seen(profile, visitor.first_seen);
          seen(profile, visitor.last_seen);
        }
      }
      return;
    }
    case 'CustomerProfileUpdated':
      return setIdentity(profile, event.data, key);
    case 'ConsentChanged': {
      const consentKey = `${event.data.purpose}:${event.data.channel}`;
      if ((profile.consents[consentKey]?.key ?? '') <= key) profile.consents[consentKey] = { granted: event.data.granted, changedAt: at, key };
      return;
    }
    case 'OrderPlaced': {
      const order = orderRow(event.data.orderId);
      order.currency = event.data.currency;
      order.total = event.data.total;
      order.placed_at = at;
      return setStatus(order, 'placed', key);
    }
    case 'OrderShipped':
      return setStatus(orderRow(event.data.orderId), 'shipped', key);
    case 'OrderDelivered':
      return setStatus(orderRow(event.data.orderId), 'delivered', key);
    case 'OrderCancelled':
      return setStatus(orderRow(event.data.orderId), 'cancelled', key);
    case 'OrderReturned':
      state.refunds.push({
        event_id: event.id,
        customer_id: customerId,
        order_id: event.data.orderId,
        currency: event.data.currency,
        amount: event.data.refundAmount,
        returned_at: at,
      });
      return;
    case 'ComplaintFiled': {
      const complaint = complaintRow(event.data.complaintId);
      complaint.filed_at = at;
      complaint.category = event.data.category;
      complaint.severity = event.data.severity;
      complaint.order_id = event.data.orderId ?? null;
      return setStatus(complaint, 'filed', key);
    }
    case 'ComplaintResponded':
      return setStatus(complaintRow(event.data.complaintId), 'responded', key);
    case 'ComplaintEscalated': {
      const complaint = complaintRow(event.data.complaintId);
      complaint.escalation_level = Math.max(complaint.escalation_level, event.data.level);
      return setStatus(complaint, 'escalated', key);
    }
    case 'ComplaintResolved':
      return setStatus(complaintRow(event.data.complaintId), 'resolved', key);
    case 'ComplaintReopened':
      return setStatus(complaintRow(event.data.complaintId), 'reopened', key);
    case 'CallbackRequested': {
      const callback = callbackRow(event.data.callbackId);
      callback.requested_at = at;
      callback.preferred_window = event.data.preferredWindow;
      return setCallbackStatus(callback, 'requested', key);
    }
    case 'CallbackScheduled': {
      const callback = callbackRow(event.data.callbackId);
      callback.scheduled_for = iso(event.data.scheduledFor);
      return setCallbackStatus(callback, 'scheduled', key);
    }
    case 'CallbackCompleted': {
      const callback = callbackRow(event.data.callbackId);
      callback.outcome = event.data.outcome;
      return setCallbackStatus(callback, 'completed', key);
    }
    case 'CallbackCancelled':
      return setCallbackStatus(callbackRow(event.data.callbackId), 'cancelled', key);
    case 'VisitRecorded':
    case 'FeedbackGiven':
    case 'MessageSent':
      return;
    default: {
      const unknown: never = event;
      throw new Error(`no profile reading for ${(unknown as { type: string }).type}`);
    }
  }
}

/** A completed or cancelled callback stays so, whatever the clocks of later events say. */
function setCallbackStatus(callback: CallbackRow, status: string, key: string): void {
  const wasFinal = CALLBACK_FINAL.has(callback.status);
  const isFinal = CALLBACK_FINAL.has(status);
  if (wasFinal === isFinal) return setStatus(callback, status, key);
  if (isFinal) {
    callback.status = status;
    callback.status_key = key;
  }
}
