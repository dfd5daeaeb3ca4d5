import { callbackStreamId, complaintStreamId, erasePersonalData, fromRecordedEvent, type StoredEvent } from '@rapport/contracts';
import type { Projection, Sql } from '@rapport/projections';
import { followUpCallbackId } from '../case/decide';
import { CASE_EVENT_TYPES, fold, type CaseEvent } from '../case/state';
import { computeClocks, type SlaClock } from '../sla/clocks';
import type { SlaPolicy } from '../sla/policy';

export const READ_MODEL_NAME = 'cases';

/** The case events, consents (a withdrawn `service` consent means no feedback request), and erasures. */
const HANDLED_TYPES = [...CASE_EVENT_TYPES, 'ConsentChanged', 'CustomerErased'];

/** Which case an event belongs to (its own stream's name), if any. */
export function caseIdOf(event: StoredEvent): string | undefined {
  switch (event.type) {
    case 'ComplaintFiled':
    case 'ComplaintResponded':
    case 'ComplaintEscalated':
    case 'ComplaintAssigned':
    case 'ComplaintResolved':
    case 'ComplaintReopened':
      return complaintStreamId(event.data.complaintId);
    case 'CallbackRequested':
    case 'CallbackScheduled':
    case 'CallbackCompleted':
    case 'CallbackCancelled':
      return callbackStreamId(event.data.callbackId);
    case 'MessageSent':
    case 'FeedbackGiven':
      return event.data.complaintId === undefined ? undefined : complaintStreamId(event.data.complaintId);
    case 'SlaBreached':
    case 'SlaBreachWithdrawn':
      return event.data.caseKind === 'complaint' ? complaintStreamId(event.data.caseId) : callbackStreamId(event.data.caseId);
    default:
      return undefined;
  }
}

/**
 * An inbound message from a customer that names no complaint (and answers no campaign) is
 * about their open complaints: it counts for each complaint of that customer, where the
 * clocks place it (it opens a next-response cycle after an answer, ends a wait on the
 * customer, and is ignored before filing or while resolved).
 */
export function isUnlinkedCustomerMessage(event: StoredEvent): boolean {
  return event.type === 'MessageSent' && event.data.direction === 'inbound' && event.data.complaintId === undefined && event.data.campaign === undefined && event.customerId !== undefined;
}

/**
 * The cases read model: one row per complaint or callback (its fold, clocks and where it
 * sits in the queue), its history (every event about it, from customer streams and its own),
 * feedback scores, and each customer's latest `service` consent. Each batch recomputes the
 * touched cases from their whole history sorted by occurredAt, so late events and replays
 * give the same rows.
 */
export function casesProjection(policy: SlaPolicy): Projection<StoredEvent> {
  return {
    name: READ_MODEL_NAME,
    // 2: measured minutes are bigint (a case can span 1900–9999, more minutes than an int holds).
    // 3: breached means a standing SlaBreached; withdrawable breaches for the scheduler;
    //    customers' inbound messages that name no complaint.
    version: 3,
    schema: 'cases',
    eventTypes: HANDLED_TYPES,
    tables: [
      {
        name: 'cases',
        create: (schema) => `
          CREATE TABLE ${schema}.cases (
            case_id            text PRIMARY KEY,
            kind               text NOT NULL,
            source_id          text NOT NULL,
            customer_id        text,
            status             text NOT NULL,
            severity           text,
            category           text,
            channel            text,
            reason             text,
            assignee_id        text,
            escalation_level   int NOT NULL,
            flags              jsonb NOT NULL,
            opened_at          timestamptz,
            closed_at          timestamptz,
            due_at             timestamptz,
            due_metric         text,
            due_sort           timestamptz NOT NULL,
            breached           boolean NOT NULL,
            next_breach_at     timestamptz,
            breachable         jsonb NOT NULL,
            withdrawable       jsonb NOT NULL,
            withdraw_pending   boolean NOT NULL,
            clocks             jsonb NOT NULL,
            feedback_requested boolean NOT NULL,
            follow_up_id       text,
            first_response_met boolean,
            first_response_business_min bigint,
            first_response_calendar_min bigint,
            resolution_met     boolean,
            resolution_business_min bigint,
            resolution_calendar_min bigint,
            state              jsonb NOT NULL
          );
          CREATE INDEX ON ${schema}.cases (due_sort, case_id);
          CREATE INDEX ON ${schema}.cases (kind, due_sort, case_id);
          CREATE INDEX ON ${schema}.cases (status, due_sort, case_id);
          CREATE INDEX ON ${schema}.cases (assignee_id, due_sort, case_id);
          CREATE INDEX ON ${schema}.cases (customer_id);
          CREATE INDEX ON ${schema}.cases (opened_at);
          CREATE INDEX ON ${schema}.cases (next_breach_at) WHERE next_breach_at IS NOT NULL;
          CREATE INDEX ON ${schema}.cases (follow_up_id) WHERE follow_up_id IS NOT NULL;
          CREATE INDEX ON ${schema}.cases (case_id) WHERE withdraw_pending;`,
      },
      {
        name: 'case_events',
        create: (schema) => `
          CREATE TABLE ${schema}.case_events (
            event_id    uuid PRIMARY KEY,
            case_id     text NOT NULL,
            stream_id   text NOT NULL,
            revision    bigint NOT NULL,
            position    bigint NOT NULL,
            occurred_at timestamptz NOT NULL,
            type        text NOT NULL,
            customer_id text,
            source      text NOT NULL,
            actor       jsonb,
            data        jsonb NOT NULL
          );
          CREATE INDEX ON ${schema}.case_events (case_id, occurred_at, position);`,
      },
      {
        name: 'feedback',
        create: (schema) => `
          CREATE TABLE ${schema}.feedback (
            event_id     uuid PRIMARY KEY,
            customer_id  text,
            complaint_id text,
            rating       int,
            nps          int,
            occurred_at  timestamptz NOT NULL
          );
          CREATE INDEX ON ${schema}.feedback (occurred_at);
          CREATE INDEX ON ${schema}.feedback (complaint_id) WHERE complaint_id IS NOT NULL;`,
      },
      {
        // Inbound service messages naming no complaint: each counts for every complaint of
        // its customer open at the time (see unlinkedMessageOf).
        name: 'customer_messages',
        create: (schema) => `
          CREATE TABLE ${schema}.customer_messages (
            event_id    uuid PRIMARY KEY,
            customer_id text NOT NULL,
            stream_id   text NOT NULL,
            revision    bigint NOT NULL,
            position    bigint NOT NULL,
            occurred_at timestamptz NOT NULL,
            source      text NOT NULL,
            actor       jsonb,
            data        jsonb NOT NULL
          );
          CREATE INDEX ON ${schema}.customer_messages (customer_id, occurred_at, position);`,
      },
      {
        name: 'consents',
        create: (schema) => `
          CREATE TABLE ${schema}.consents (
            customer_id text PRIMARY KEY,
            granted     boolean NOT NULL,
            occurred_at timestamptz NOT NULL,
            position    bigint NOT NULL
          )`,
      },
    ],
    decode: (event) => fromRecordedEvent(event),
    async apply({ tx, schema }, events) {
      await applyEvents(tx, schema, policy, events);
    },
  };
}

async function applyEvents(tx: Sql, schema: string, policy: SlaPolicy, events: readonly StoredEvent[]): Promise<void> {
  const history: Record<string, unknown>[] = [];
  const feedback: Record<string, unknown>[] = [];
  const consents = new Map<string, Record<string, unknown>>();
  const erased = new Set<string>();
  const messages: Record<string, unknown>[] = [];
  for (const event of events) {
    if (event.type === 'CustomerErased') {
      if (event.customerId !== undefined) erased.add(event.customerId);
      continue;
    }
    if (isUnlinkedCustomerMessage(event)) {
      messages.push({ event_id: event.id, customer_id: event.customerId, stream_id: event.streamId, revision: event.revision, position: event.position, occurred_at: event.occurredAt, source: event.source, actor: event.actor ?? null, data: event.data });
      continue;
    }
    if (event.type === 'ConsentChanged') {
      if (event.data.purpose !== 'service' || event.customerId === undefined) continue;
      const previous = consents.get(event.customerId);
      if (!previous || later(event, previous)) consents.set(event.customerId, { customer_id: event.customerId, granted: event.data.granted, occurred_at: event.occurredAt, position: event.position });
      continue;
    }
    if (event.type === 'FeedbackGiven') {
      feedback.push({ event_id: event.id, customer_id: event.customerId ?? null, complaint_id: event.data.complaintId ?? null, rating: event.data.rating ?? null, nps: event.data.nps ?? null, occurred_at: event.occurredAt });
    }
    const caseId = caseIdOf(event);
    if (caseId === undefined) continue;
    history.push({
      event_id: event.id,
      case_id: caseId,
      stream_id: event.streamId,
      revision: event.revision,
      position: event.position,
      occurred_at: event.occurredAt,
      type: event.type,
      customer_id: event.customerId ?? null,
      source: event.source,
      actor: event.actor ?? null,
      data: event.data,
    });
  }
  if (consents.size > 0) {
    // The latest consent by when it was given wins, whatever order the events arrive in.
    await tx.query(
      `INSERT INTO ${schema}.consents SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, granted boolean, occurred_at timestamptz, position bigint)
       ON CONFLICT (customer_id) DO UPDATE SET granted = excluded.granted, occurred_at = excluded.occurred_at, position = excluded.position
        WHERE (excluded.occurred_at, excluded.position) > (${schema}.consents.occurred_at, ${schema}.consents.position)`,
      [JSON.stringify([...consents.values()])],
    );
  }
  if (feedback.length > 0) {
    await tx.query(
      `INSERT INTO ${schema}.feedback SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, customer_id text, complaint_id text, rating int, nps int, occurred_at timestamptz)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(feedback)],
    );
  }
  const touched = new Set(history.map((row) => row.case_id as string));
  if (messages.length > 0) {
    await tx.query(
      `INSERT INTO ${schema}.customer_messages SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, customer_id text, stream_id text, revision bigint, position bigint,
              occurred_at timestamptz, source text, actor jsonb, data jsonb)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(messages)],
    );
    const customers = [...new Set(messages.map((message) => message.customer_id as string))];
    const complaints = await tx.query<{ case_id: string }>(`SELECT case_id FROM ${schema}.cases WHERE customer_id = ANY($1) AND kind = 'complaint'`, [customers]);
    for (const { case_id } of complaints) touched.add(case_id);
  }
  if (history.length > 0) {
    await tx.query(
      `INSERT INTO ${schema}.case_events SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, case_id text, stream_id text, revision bigint, position bigint,
              occurred_at timestamptz, type text, customer_id text, source text, actor jsonb, data jsonb)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(history)],
    );
  }
  for (const caseId of await eraseCaseEvents(tx, schema, [...erased])) touched.add(caseId);
  if (touched.size === 0) return;
  const rows = await tx.query<CaseEventRow & { position: string }>(
    `SELECT case_id, event_id, type, occurred_at, customer_id, actor, data, position FROM ${schema}.case_events WHERE case_id = ANY($1) ORDER BY case_id, occurred_at, position`,
    [[...touched]],
  );
  const byCase = new Map<string, { customerId: string | null; complaint: boolean; events: { position: number; event: CaseEvent }[] }>();
  for (const row of rows) {
    let entry = byCase.get(row.case_id);
    if (!entry) byCase.set(row.case_id, (entry = { customerId: null, complaint: row.case_id.startsWith('complaint-'), events: [] }));
    entry.customerId ??= row.customer_id;
    entry.events.push({ position: Number(row.position), event: toCaseEvent(row) });
  }
  // The customers' unlinked messages join each of their complaints, in time order.
  const complaintCustomers = [...new Set([...byCase.values()].flatMap((entry) => (entry.complaint && entry.customerId ? [entry.customerId] : [])))];
  if (complaintCustomers.length > 0) {
    const unlinked = await tx.query<CaseEventRow & { position: string }>(
      `SELECT customer_id AS case_id, event_id, 'MessageSent' AS type, occurred_at, customer_id, actor, data, position FROM ${schema}.customer_messages WHERE customer_id = ANY($1)`,
      [complaintCustomers],
    );
    if (unlinked.length > 0) {
      const byCustomer = new Map<string, { position: number; event: CaseEvent }[]>();
      for (const row of unlinked) byCustomer.set(row.case_id, [...(byCustomer.get(row.case_id) ?? []), { position: Number(row.position), event: toCaseEvent(row) }]);
      for (const entry of byCase.values()) {
        const extra = entry.complaint && entry.customerId ? byCustomer.get(entry.customerId) : undefined;
        if (!extra) continue;
        entry.events.push(...extra);
        entry.events.sort((a, b) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt) || a.position - b.position);
      }
    }
  }
  const cases = [...byCase].map(([caseId, entry]) => caseRow(caseId, entry.events.map((e) => e.event), policy));
  await tx.query(
    `INSERT INTO ${schema}.cases SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(${CASE_COLUMNS})
     ON CONFLICT (case_id) DO UPDATE SET ${CASE_COLUMN_NAMES.filter((c) => c !== 'case_id').map((c) => `${c} = excluded.${c}`).join(', ')}`,
    [JSON.stringify(cases)],
  );
}

/**
 * An erased customer's case history reads as a rebuild after the key's destruction reads it:
 * personal fields as their markers. Returns the cases to recompute.
 */
async function eraseCaseEvents(tx: Sql, schema: string, customerIds: readonly string[]): Promise<string[]> {
  if (customerIds.length === 0) return [];
  const rows = await tx.query<{ event_id: string; case_id: string; type: string; data: unknown }>(
    `SELECT event_id, case_id, type, data FROM ${schema}.case_events WHERE customer_id = ANY($1::text[])`,
    [customerIds],
  );
  const scrubbed = rows.map((row) => ({ event_id: row.event_id, data: erasePersonalData(row.type, row.data) }));
  if (scrubbed.length > 0) {
    await tx.query(
      `UPDATE ${schema}.case_events e SET data = r.data FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, data jsonb) WHERE e.event_id = r.event_id`,
      [JSON.stringify(scrubbed)],
    );
  }
  // Their messages that name no complaint are kept apart, and hold personal fields too.
  const messages = await tx.query<{ event_id: string; data: unknown }>(`SELECT event_id, data FROM ${schema}.customer_messages WHERE customer_id = ANY($1::text[])`, [customerIds]);
  if (messages.length > 0) {
    const scrubbedMessages = messages.map((row) => ({ event_id: row.event_id, data: erasePersonalData('MessageSent', row.data) }));
    await tx.query(
      `UPDATE ${schema}.customer_messages m SET data = r.data FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, data jsonb) WHERE m.event_id = r.event_id`,
      [JSON.stringify(scrubbedMessages)],
    );
  }
  return rows.map((row) => row.case_id);
}

export interface CaseEventRow {
  case_id: string;
  event_id: string;
  type: string;
  occurred_at: Date | string;
  customer_id: string | null;
  actor: { id: string; name?: string } | null;
  data: unknown;
}

export function toCaseEvent(row: CaseEventRow): CaseEvent {
  return {
    id: row.event_id,
    type: row.type,
    occurredAt: new Date(row.occurred_at).toISOString(),
    data: row.data,
    ...(row.customer_id ? { customerId: row.customer_id } : {}),
    ...(row.actor ? { actor: row.actor } : {}),
  } as CaseEvent;
}

const later = (event: StoredEvent, row: Record<string, unknown>) =>
  Date.parse(event.occurredAt) > Date.parse(row.occurred_at as string) || (Date.parse(event.occurredAt) === Date.parse(row.occurred_at as string) && event.position > (row.position as number));

const CASE_COLUMNS = `case_id text, kind text, source_id text, customer_id text, status text, severity text, category text, channel text, reason text,
  assignee_id text, escalation_level int, flags jsonb, opened_at timestamptz, closed_at timestamptz, due_at timestamptz, due_metric text, due_sort timestamptz,
  breached boolean, next_breach_at timestamptz, breachable jsonb, withdrawable jsonb, withdraw_pending boolean, clocks jsonb, feedback_requested boolean, follow_up_id text, first_response_met boolean,
  first_response_business_min bigint, first_response_calendar_min bigint, resolution_met boolean, resolution_business_min bigint, resolution_calendar_min bigint, state jsonb`;
const CASE_COLUMN_NAMES = CASE_COLUMNS.split(',').map((column) => column.trim().split(/\s+/)[0]);

/** The row of one case: a pure function of its events (sorted by occurredAt) and the policy. */
export function caseRow(caseId: string, events: readonly CaseEvent[], policy: SlaPolicy): Record<string, unknown> {
  const state = fold(events);
  const clocks = computeClocks(events, policy);
  const measured = (clock: SlaClock | null) => (clock && clock.stoppedAt !== null ? clock : null);
  const firstResponse = measured(clocks.firstResponse);
  const resolution = measured(clocks.resolution);
  const nextBreach = clocks.breachable.map((b) => b.dueAt).sort()[0] ?? null;
  const kind = state.kind ?? (caseId.startsWith('callback-') ? 'callback' : 'complaint');
  return {
    case_id: caseId,
    kind,
    source_id: state.caseId ?? caseId.slice(kind.length + 1),
    customer_id: state.customerId,
    status: state.status,
    severity: state.severity,
    category: state.category,
    channel: state.channel,
    reason: state.reason,
    assignee_id: state.assigneeId,
    escalation_level: state.escalationLevel,
    flags: [...state.flags, ...clocks.notes],
    opened_at: state.openedAt,
    closed_at: state.closedAt,
    due_at: clocks.dueAt,
    due_metric: clocks.dueMetric,
    due_sort: clocks.dueAt ?? 'infinity',
    // Breached is what the SlaBreached events on record say (less those withdrawn), so the
    // queue and the metrics count exactly the breaches the timeline shows.
    breached: clocks.breaches.length > 0,
    next_breach_at: nextBreach,
    breachable: clocks.breachable,
    withdrawable: clocks.withdrawable,
    withdraw_pending: clocks.withdrawable.length > 0,
    clocks,
    feedback_requested: state.feedbackRequested,
    // The callback a follow_up_needed outcome owes; the scheduler opens it if nobody has.
    follow_up_id: state.kind === 'callback' && state.outcome === 'follow_up_needed' && state.phone ? followUpCallbackId(state.caseId ?? '') : null,
    first_response_met: firstResponse?.met ?? null,
    first_response_business_min: firstResponse?.businessMinutes ?? null,
    first_response_calendar_min: firstResponse?.calendarMinutes ?? null,
    resolution_met: resolution?.met ?? null,
    resolution_business_min: resolution?.businessMinutes ?? null,
    resolution_calendar_min: resolution?.calendarMinutes ?? null,
    state: { ...state, eventIds: [] },
  };
}
