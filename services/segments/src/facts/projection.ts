import { ERASED_MARKERS, fromRecordedEvent, type StoredEvent } from '@rapport/contracts';
import { applyMerges, mergesTable, type Projection, type Sql } from '@rapport/projections';
import type { SegmentSettings } from '../config';

export const FACTS_PROJECTION = 'segments';

/** The customer facts the measures are computed from. */
export const FACT_TYPES = [
  'CustomerRegistered',
  // No fact: only the contact phone is erased, so an erasure leaves every figure as it was.
  'CustomerErased',
  'CustomerProfileUpdated',
  'ConsentChanged',
  'OrderPlaced',
  'OrderCancelled',
  'OrderReturned',
  'ComplaintFiled',
  'ComplaintResolved',
  'CallbackRequested',
] as const;

/** Merges: the measures count a merged customer's facts for its survivor (resolved at recompute, so an unmerge restores them). */
const MERGE_TYPES = ['CustomersMerged', 'CustomersUnmerged'] as const;

type FactKind = 'seen' | 'order' | 'cancel' | 'refund' | 'complaint' | 'callback' | 'compensation' | 'consent';

interface FactRow {
  event_id: string;
  customer_id: string;
  position: number;
  occurred_at: string;
  kind: FactKind;
  order_id: string | null;
  amount: number | null;
  granted: boolean | null;
}

/** Minor units of `currency` in base-currency minor units; null when there is no rate for it. */
export function toBase(settings: SegmentSettings, amount: number, currency: string): number | null {
  const rate = currency === settings.baseCurrency ? 1 : settings.currencyRates[currency];
  return rate === undefined ? null : Math.round(amount * rate);
}

/**
 * One row per customer fact (`facts`, each with its `occurred_at`, so any as-of is answered
 * from the events and SQL aggregates them), the live totals per customer (`customers`, kept
 * as events arrive), and the latest phone number (`contacts`, only for retention callbacks;
 * never shown to analysts).
 */
export function factsProjection(settings: SegmentSettings): Projection<StoredEvent> {
  return {
    name: FACTS_PROJECTION,
    // 2: the merges table.
    version: 2,
    schema: 'segments',
    eventTypes: [...FACT_TYPES, ...MERGE_TYPES],
    tables: [
      {
        name: 'facts',
        create: (schema) => `
          CREATE TABLE ${schema}.facts (
            event_id    uuid PRIMARY KEY,
            customer_id text NOT NULL,
            position    bigint NOT NULL,
            occurred_at timestamptz NOT NULL,
            kind        text NOT NULL,
            order_id    text,
            amount      bigint,
            granted     boolean
          );
          CREATE INDEX ON ${schema}.facts (customer_id, occurred_at);
          CREATE INDEX ON ${schema}.facts (kind, occurred_at);`,
      },
      {
        name: 'customers',
        create: (schema) => `
          CREATE TABLE ${schema}.customers (
            customer_id       text PRIMARY KEY,
            first_seen_at     timestamptz NOT NULL,
            first_order_at    timestamptz,
            last_order_at     timestamptz,
            orders            bigint NOT NULL,
            cancellations     bigint NOT NULL,
            spend             bigint NOT NULL,
            cancelled_spend   bigint NOT NULL,
            refunds           bigint NOT NULL,
            complaints        bigint NOT NULL,
            callbacks         bigint NOT NULL,
            goodwill_paid     bigint NOT NULL,
            profiling_granted boolean,
            consent_position  bigint
          )`,
      },
      {
        name: 'contacts',
        create: (schema) => `CREATE TABLE ${schema}.contacts (customer_id text PRIMARY KEY, phone text, position bigint NOT NULL)`,
      },
      mergesTable,
    ],
    decode: (event) => fromRecordedEvent(event),
    async apply({ tx, schema }, events) {
      const rows = events.flatMap((event) => factOf(settings, event));
      await insertFacts(tx, schema, rows.filter((row) => row.kind !== 'cancel'), false);
      // Cancellations take the amount of the order they cancel, which may be in this very batch.
      await insertFacts(tx, schema, rows.filter((row) => row.kind === 'cancel'), true);
      await upsertContacts(tx, schema, events);
      await applyMerges(tx, schema, events);
    },
  };
}

function factOf(settings: SegmentSettings, event: StoredEvent): FactRow[] {
  if (event.customerId === undefined) return [];
  const row = (kind: FactKind, fields: Partial<FactRow> = {}): FactRow[] => [
    { event_id: event.id, customer_id: event.customerId as string, position: event.position, occurred_at: event.occurredAt, kind, order_id: null, amount: null, granted: null, ...fields },
  ];
  switch (event.type) {
    case 'CustomerRegistered':
    case 'CustomerProfileUpdated':
      return row('seen');
    case 'ConsentChanged':
      return event.data.purpose === 'profiling' ? row('consent', { granted: event.data.granted }) : row('seen');
    case 'OrderPlaced': {
      const amount = toBase(settings, event.data.total, event.data.currency);
      // An order in a currency without a rate is kept as a sighting only, never as spend.
      return amount === null ? row('seen') : row('order', { order_id: event.data.orderId, amount });
    }
    case 'OrderCancelled':
      return row('cancel', { order_id: event.data.orderId });
    case 'OrderReturned': {
      const amount = toBase(settings, event.data.refundAmount, event.data.currency);
      return amount === null ? row('seen') : row('refund', { order_id: event.data.orderId, amount });
    }
    case 'ComplaintFiled':
      return row('complaint');
    case 'ComplaintResolved': {
      const paid = event.data.compensation;
      const amount = paid ? toBase(settings, paid.amount, paid.currency) : null;
      return amount === null || amount === 0 ? row('seen') : row('compensation', { amount });
    }
    case 'CallbackRequested':
      return row('callback');
    default:
      return [];
  }
}

const RECORDSET = `AS r(event_id uuid, customer_id text, position bigint, occurred_at timestamptz, kind text, order_id text, amount bigint, granted boolean)`;

async function insertFacts(tx: Sql, schema: string, rows: readonly FactRow[], cancellations: boolean): Promise<void> {
  if (rows.length === 0) return;
  const source = cancellations
    ? `SELECT r.event_id, r.customer_id, r.position, r.occurred_at, r.kind, r.order_id,
              (SELECT o.amount FROM ${schema}.facts o WHERE o.kind = 'order' AND o.customer_id = r.customer_id AND o.order_id = r.order_id ORDER BY o.position LIMIT 1),
              r.granted
         FROM jsonb_to_recordset($1::jsonb) ${RECORDSET}`
    : `SELECT * FROM jsonb_to_recordset($1::jsonb) ${RECORDSET}`;
  // Totals move only by the rows this statement really inserted, so a redelivered event changes nothing.
  await tx.query(
    `WITH inserted AS (
       INSERT INTO ${schema}.facts ${source} ON CONFLICT (event_id) DO NOTHING RETURNING *
     ), consent AS (
       SELECT DISTINCT ON (customer_id) customer_id, granted, position FROM inserted WHERE kind = 'consent' ORDER BY customer_id, position DESC
     ), totals AS (
       SELECT i.customer_id, min(i.occurred_at) AS first_seen_at,
              min(i.occurred_at) FILTER (WHERE kind = 'order') AS first_order_at, max(i.occurred_at) FILTER (WHERE kind = 'order') AS last_order_at,
              count(*) FILTER (WHERE kind = 'order') AS orders, count(*) FILTER (WHERE kind = 'cancel') AS cancellations,
              coalesce(sum(amount) FILTER (WHERE kind = 'order'), 0) AS spend, coalesce(sum(amount) FILTER (WHERE kind = 'cancel'), 0) AS cancelled_spend,
              coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS refunds,
              count(*) FILTER (WHERE kind = 'complaint') AS complaints, count(*) FILTER (WHERE kind = 'callback') AS callbacks,
              coalesce(sum(amount) FILTER (WHERE kind = 'compensation'), 0) AS goodwill_paid
         FROM inserted i GROUP BY i.customer_id
     )
     INSERT INTO ${schema}.customers AS c
     SELECT t.*, k.granted, k.position FROM totals t LEFT JOIN consent k USING (customer_id)
     ON CONFLICT (customer_id) DO UPDATE SET
       first_seen_at = least(c.first_seen_at, excluded.first_seen_at),
       first_order_at = least(c.first_order_at, excluded.first_order_at),
       last_order_at = greatest(c.last_order_at, excluded.last_order_at),
       orders = c.orders + excluded.orders, cancellations = c.cancellations + excluded.cancellations,
       spend = c.spend + excluded.spend, cancelled_spend = c.cancelled_spend + excluded.cancelled_spend, refunds = c.refunds + excluded.refunds,
       complaints = c.complaints + excluded.complaints, callbacks = c.callbacks + excluded.callbacks, goodwill_paid = c.goodwill_paid + excluded.goodwill_paid,
       profiling_granted = CASE WHEN excluded.consent_position > coalesce(c.consent_position, -1) THEN excluded.profiling_granted ELSE c.profiling_granted END,
       consent_position = greatest(c.consent_position, excluded.consent_position)`,
    [JSON.stringify(rows)],
  );
}

async function upsertContacts(tx: Sql, schema: string, events: readonly StoredEvent[]): Promise<void> {
  const contacts = new Map<string, { customer_id: string; phone: string | null; position: number }>();
  for (const event of events) {
    if (event.customerId === undefined) continue;
    if (event.type !== 'CustomerRegistered' && event.type !== 'CustomerProfileUpdated') continue;
    const phone = event.data.phone;
    if (phone === undefined) continue;
    contacts.set(event.customerId, { customer_id: event.customerId, phone, position: event.position });
  }
  const erased = events.flatMap((event) => (event.type === 'CustomerErased' && event.customerId !== undefined ? [event.customerId] : []));
  if (erased.length > 0) {
    // As a rebuild over the destroyed key reads the phone: its marker.
    await tx.query(`UPDATE ${schema}.contacts SET phone = $2 WHERE customer_id = ANY($1::text[]) AND phone IS NOT NULL`, [erased, ERASED_MARKERS.phone]);
  }
  if (contacts.size === 0) return;
  await tx.query(
    `INSERT INTO ${schema}.contacts AS c SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, phone text, position bigint)
     ON CONFLICT (customer_id) DO UPDATE SET phone = excluded.phone, position = excluded.position WHERE c.position < excluded.position`,
    [JSON.stringify([...contacts.values()])],
  );
}
