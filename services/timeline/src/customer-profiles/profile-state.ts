import { ERASED_MARKERS, outranks, streamIdFor, visitorLinkOf, type StoredEvent, type VisitorLink } from '@rapport/contracts';
import { IDENTITY_FIELDS, keyOf, type CallbackRow, type ProfileBatchState, type ProfileRow, type VisitorRow } from './profile-rows';

/**
 * How each event changes the profile rows of a batch. Every "latest" is decided by
 * (occurredAt, position), never by arrival order, and a visitor belongs to the customer
 * whose claim has the lowest position (contracts' identity rule), so any delivery order ends
 * in the same rows. One thing is left to SQL: a customer losing a visitor to an earlier
 * claim gets first/last seen recomputed from the visitors it still has.
 */

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
    own_first_seen: seenAt,
    own_last_seen: seenAt,
    first_seen: seenAt,
    last_seen: seenAt,
    event_count: 0,
  };
}

function seen(row: { first_seen: string | null; last_seen: string | null }, at: string): void {
  if (row.first_seen === null || at < row.first_seen) row.first_seen = at;
  if (row.last_seen === null || at > row.last_seen) row.last_seen = at;
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

/**
 * The personal identity fields read as erased from the erasure on, whatever held them before:
 * the same rows whether the earlier events were seen in plain text (live) or as markers (a
 * rebuild after the key was destroyed). A later change, made after the erasure, still applies.
 */
function eraseIdentity(profile: ProfileRow, key: string): void {
  const erased = { email: ERASED_MARKERS.email, phone: ERASED_MARKERS.phone, firstName: ERASED_MARKERS.text, lastName: ERASED_MARKERS.text, birthDate: null };
  for (const [field, value] of Object.entries(erased)) {
    const column = IDENTITY_FIELDS[field as keyof typeof IDENTITY_FIELDS];
    if ((profile.field_versions[column] ?? '') > key) continue;
    profile[column] = value;
    profile.field_versions[column] = key;
  }
}

function row<R>(map: Map<string, R>, touched: Set<string>, key: string, create: () => R): R {
  let found = map.get(key);
  if (!found) map.set(key, (found = create()));
  touched.add(key);
  return found;
}

function visitorRow(state: ProfileBatchState, anonymousId: string): VisitorRow {
  return row(state.visitors, state.touched.visitors, anonymousId, () => ({
    anonymous_id: anonymousId,
    customer_id: null,
    link_position: null,
    first_seen: null,
    last_seen: null,
    event_count: 0,
  }));
}

function setStatus(target: { status: string; status_key: string }, status: string, key: string): void {
  if (target.status_key <= key) {
    target.status = status;
    target.status_key = key;
  }
}

/** Applies one event to the batch's rows. */
export function evolve(state: ProfileBatchState, event: StoredEvent): void {
  const at = iso(event.occurredAt);
  if (event.customerId === undefined) {
    const visitor = visitorRow(state, event.anonymousId as string);
    seen(visitor, at);
    visitor.event_count++;
    if (visitor.customer_id) seen(profileOf(state, visitor.customer_id, at), at);
    return evolveOwned(state, event, visitor.customer_id);
  }
  const key = versionKey(event);
  const profile = profileOf(state, event.customerId, at);
  seen(profile, at);
  if (at < profile.own_first_seen) profile.own_first_seen = at;
  if (at > profile.own_last_seen) profile.own_last_seen = at;
  profile.event_count++;
  switch (event.type) {
    case 'CustomerRegistered': {
      setIdentity(profile, event.data, key);
      if (profile.registration_key === null || key < profile.registration_key) {
        profile.registration_key = key;
        profile.registered_at = at;
        profile.signup_channel = event.data.signupChannel ?? null;
      }
      const claim = visitorLinkOf(event);
      if (claim) link(state, claim, profile);
      return;
    }
    case 'CustomerProfileUpdated':
      return setIdentity(profile, event.data, key);
    case 'CustomerErased':
      return eraseIdentity(profile, key);
    case 'CustomerIdentified': {
      const claim = visitorLinkOf(event);
      if (claim) link(state, claim, profile);
      return;
    }
    case 'ConsentChanged': {
      const consentKey = `${event.data.purpose}:${event.data.channel}`;
      if ((profile.consents[consentKey]?.key ?? '') <= key) profile.consents[consentKey] = { granted: event.data.granted, changedAt: at, key };
      return;
    }
    default:
      return evolveOwned(state, event, event.customerId);
  }
}

/** Records a registration's claim on a visitor and, if it wins, moves the visitor's rows to the customer. */
function link(state: ProfileBatchState, claim: VisitorLink, profile: ProfileRow): void {
  state.claims.push({ anonymous_id: claim.anonymousId, customer_id: claim.customerId, position: claim.position, event_id: claim.eventId });
  const visitor = visitorRow(state, claim.anonymousId);
  if (!outranks(claim, visitor.link_position === null ? undefined : { position: visitor.link_position })) return;
  visitor.link_position = claim.position;
  if (visitor.customer_id === claim.customerId) return;
  if (!state.relinked.has(visitor.anonymous_id)) state.relinked.set(visitor.anonymous_id, visitor.customer_id);
  visitor.customer_id = claim.customerId;
  const streamId = streamIdFor({ anonymousId: claim.anonymousId });
  for (const rows of [state.orders.values(), state.complaints.values(), state.callbacks.values(), state.refunds.values()]) {
    for (const owned of rows) if (owned.stream_id === streamId) owned.customer_id = claim.customerId;
  }
  if (visitor.first_seen !== null) seen(profile, visitor.first_seen);
  if (visitor.last_seen !== null) seen(profile, visitor.last_seen);
}

/**
 * Orders, refunds, complaints and callbacks, kept per source stream: a customer's or a
 * visitor's, the latter owned by its linked customer (or by nobody yet).
 */
function evolveOwned(state: ProfileBatchState, event: StoredEvent, owner: string | null): void {
  const at = iso(event.occurredAt);
  const key = versionKey(event);
  const streamId = event.streamId;
  const base = { stream_id: streamId, customer_id: owner };
  const orderRow = (orderId: string) =>
    row(state.orders, state.touched.orders, keyOf(streamId, orderId), () => ({ ...base, order_id: orderId, currency: null, total: null, placed_at: null, status: '', status_key: '' }));
  const complaintRow = (complaintId: string) =>
    row(state.complaints, state.touched.complaints, keyOf(streamId, complaintId), () => ({
      ...base,
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
    row(state.callbacks, state.touched.callbacks, keyOf(streamId, callbackId), () => ({
      ...base,
      callback_id: callbackId,
      status: '',
      status_key: '',
      requested_at: null,
      preferred_window: null,
      scheduled_for: null,
      outcome: null,
    }));

  switch (event.type) {
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
      state.refunds.push({ ...base, event_id: event.id, order_id: event.data.orderId, currency: event.data.currency, amount: event.data.refundAmount, returned_at: at });
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
    // Identity, registration and consents come from the customer's own stream only; a
    // visitor's (a cookie banner's consent, say) stay on the timeline.
    case 'CustomerRegistered':
    case 'CustomerProfileUpdated':
    case 'CustomerErased':
    case 'CustomerIdentified':
    case 'ConsentChanged':
    case 'VisitRecorded':
    case 'CustomEventTracked':
    case 'FeedbackGiven':
    case 'MessageSent':
    case 'ComplaintAssigned':
    case 'SlaBreached':
    case 'SlaBreachWithdrawn':
    // Merges are resolved when a profile is read, so an unmerge finds each profile untouched.
    case 'CustomersMerged':
    case 'CustomersUnmerged':
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
