import { EVENT_TYPES, fromRecordedEvent, type StoredEvent } from '@rapport/contracts';
import type { Projection, ReadModelTable, Sql } from '@rapport/projections';
import { evolve, keyOf, type ProfileBatchState } from './profile-state';

interface TableSpec {
  readonly name: 'profiles' | 'orders' | 'refunds' | 'complaints' | 'callbacks' | 'visitors';
  /** Column name → SQL type, in table order. */
  readonly columns: Readonly<Record<string, string>>;
  readonly key: readonly string[];
  /** Generated columns and indexes. */
  readonly extra?: (schema: string) => { columns?: string; indexes?: string };
}

const TABLES: readonly TableSpec[] = [
  {
    name: 'profiles',
    columns: {
      customer_id: 'text',
      email: 'text',
      phone: 'text',
      first_name: 'text',
      last_name: 'text',
      country: 'text',
      locale: 'text',
      birth_date: 'text',
      signup_channel: 'text',
      registered_at: 'timestamptz',
      registration_key: 'text',
      field_versions: 'jsonb',
      consents: 'jsonb',
      first_seen: 'timestamptz',
      last_seen: 'timestamptz',
    },
    key: ['customer_id'],
    // Search keys: a lower-cased email and name, and the phone's digits reversed so that a
    // national number ("07700 900123") is a prefix of the stored international one.
    extra: (schema) => ({
      columns: `,
        email_key text GENERATED ALWAYS AS (lower(email)) STORED,
        phone_key text GENERATED ALWAYS AS (reverse(regexp_replace(phone, '[^0-9]', '', 'g'))) STORED,
        name_key  text GENERATED ALWAYS AS (lower(btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')))) STORED,
        last_name_key text GENERATED ALWAYS AS (lower(last_name)) STORED`,
      indexes: `
        CREATE INDEX ON ${schema}.profiles (email_key);
        CREATE INDEX ON ${schema}.profiles (phone_key text_pattern_ops);
        CREATE INDEX ON ${schema}.profiles (name_key text_pattern_ops);
        CREATE INDEX ON ${schema}.profiles (last_name_key text_pattern_ops);`,
    }),
  },
  {
    name: 'orders',
    columns: { customer_id: 'text', order_id: 'text', currency: 'text', total: 'bigint', placed_at: 'timestamptz', status: 'text', status_key: 'text' },
    key: ['customer_id', 'order_id'],
  },
  {
    name: 'refunds',
    columns: { event_id: 'uuid', customer_id: 'text', order_id: 'text', currency: 'text', amount: 'bigint', returned_at: 'timestamptz' },
    key: ['event_id'],
    extra: (schema) => ({ indexes: `CREATE INDEX ON ${schema}.refunds (customer_id);` }),
  },
  {
    name: 'complaints',
    columns: {
      customer_id: 'text',
      complaint_id: 'text',
      status: 'text',
      status_key: 'text',
      filed_at: 'timestamptz',
      category: 'text',
      severity: 'text',
      order_id: 'text',
      escalation_level: 'int',
    },
    key: ['customer_id', 'complaint_id'],
  },
  {
    name: 'callbacks',
    columns: {
      customer_id: 'text',
      callback_id: 'text',
      status: 'text',
      status_key: 'text',
      requested_at: 'timestamptz',
      preferred_window: 'jsonb',
      scheduled_for: 'timestamptz',
      outcome: 'text',
    },
    key: ['customer_id', 'callback_id'],
  },
  {
    name: 'visitors',
    columns: { anonymous_id: 'text', customer_id: 'text', first_seen: 'timestamptz', last_seen: 'timestamptz' },
    key: ['anonymous_id'],
  },
];

const spec = (name: TableSpec['name']) => TABLES.find((table) => table.name === name) as TableSpec;

function tableOf(table: TableSpec): ReadModelTable {
  return {
    name: table.name,
    create: (schema) => {
      const extra = table.extra?.(schema) ?? {};
      const columns = Object.entries(table.columns).map(([name, type]) => `${name} ${type}${table.key.includes(name) ? ' NOT NULL' : ''}`);
      return `CREATE TABLE ${schema}.${table.name} (${columns.join(', ')}${extra.columns ?? ''}, PRIMARY KEY (${table.key.join(', ')}));${extra.indexes ?? ''}`;
    },
  };
}

/**
 * Per customer: identity from the latest profile events, consents, first and last seen,
 * orders and refunds (for order count and net spend), complaints and callbacks with their
 * status. Each batch reads the rows it touches, folds the events in memory (profile-state.ts)
 * and writes them back with one upsert per table.
 */
export const customerProfilesProjection: Projection<StoredEvent> = {
  name: 'customer-profiles',
  version: 2,
  schema: 'customer_profiles',
  eventTypes: EVENT_TYPES,
  tables: TABLES.map(tableOf),
  decode: (event) => fromRecordedEvent(event),
  async apply({ tx, schema }, events) {
    const state = await load(tx, schema, events);
    for (const event of events) evolve(state, event);
    const pick = <R>(map: Map<string, R>, keys: Set<string>) => [...keys].map((key) => map.get(key) as R);
    await upsert(tx, schema, spec('visitors'), pick(state.visitors, state.touched.visitors));
    await upsert(tx, schema, spec('profiles'), pick(state.profiles, state.touched.profiles));
    await upsert(tx, schema, spec('orders'), pick(state.orders, state.touched.orders));
    await upsert(tx, schema, spec('complaints'), pick(state.complaints, state.touched.complaints));
    await upsert(tx, schema, spec('callbacks'), pick(state.callbacks, state.touched.callbacks));
    await upsert(tx, schema, spec('refunds'), state.refunds);
  },
};

async function load(tx: Sql, schema: string, events: readonly StoredEvent[]): Promise<ProfileBatchState> {
  const customers = new Set<string>();
  const visitors = new Set<string>();
  const keys = { orders: new Set<string>(), complaints: new Set<string>(), callbacks: new Set<string>() };
  for (const event of events) {
    if (event.customerId === undefined) {
      visitors.add(event.anonymousId as string);
      continue;
    }
    customers.add(event.customerId);
    const data = event.data as { orderId?: string; complaintId?: string; callbackId?: string; previousAnonymousId?: string };
    if (event.type === 'CustomerRegistered' && data.previousAnonymousId) visitors.add(data.previousAnonymousId);
    if (event.type.startsWith('Order') && data.orderId) keys.orders.add(keyOf(event.customerId, data.orderId));
    if (event.type.startsWith('Complaint') && data.complaintId) keys.complaints.add(keyOf(event.customerId, data.complaintId));
    if (event.type.startsWith('Callback') && data.callbackId) keys.callbacks.add(keyOf(event.customerId, data.callbackId));
  }
  const visitorRows = await selectRows(tx, schema, spec('visitors'), [...visitors].map((id) => [id]));
  for (const visitor of visitorRows) if (visitor.customer_id) customers.add(visitor.customer_id as string);
  const split = (set: Set<string>) => [...set].map((key) => key.split('\u0000'));
  // One after another: they share the batch's connection.
  const profiles = await selectRows(tx, schema, spec('profiles'), [...customers].map((id) => [id]));
  const orders = await selectRows(tx, schema, spec('orders'), split(keys.orders));
  const complaints = await selectRows(tx, schema, spec('complaints'), split(keys.complaints));
  const callbacks = await selectRows(tx, schema, spec('callbacks'), split(keys.callbacks));
  const byKey = <R>(rows: Record<string, unknown>[], key: (row: Record<string, unknown>) => string) => new Map(rows.map((row) => [key(row), row as R]));
  return {
    profiles: byKey(profiles, (row) => row.customer_id as string),
    orders: byKey(orders, (row) => keyOf(row.customer_id as string, row.order_id as string)),
    complaints: byKey(complaints, (row) => keyOf(row.customer_id as string, row.complaint_id as string)),
    callbacks: byKey(callbacks, (row) => keyOf(row.customer_id as string, row.callback_id as string)),
    visitors: byKey(visitorRows, (row) => row.anonymous_id as string),
    refunds: [],
    touched: { profiles: new Set(), orders: new Set(), complaints: new Set(), callbacks: new Set(), visitors: new Set() },
  };
}

/** Rows by primary key, with timestamps as ISO strings and bigints as numbers, as the fold expects. */
async function selectRows(tx: Sql, schema: string, table: TableSpec, keys: string[][]): Promise<Record<string, unknown>[]> {
  if (keys.length === 0) return [];
  const keyArrays = table.key.map((_, i) => keys.map((key) => key[i]));
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT ${Object.keys(table.columns).join(', ')} FROM ${schema}.${table.name}
      WHERE (${table.key.join(', ')}) IN (SELECT * FROM unnest(${table.key.map((_, i) => `$${i + 1}::text[]`).join(', ')}))`,
    keyArrays,
  );
  for (const row of rows) {
    for (const [column, type] of Object.entries(table.columns)) {
      const value = row[column];
      if (value instanceof Date) row[column] = value.toISOString();
      else if (type === 'bigint' && value !== null) row[column] = Number(value);
    }
  }
  return rows;
}

async function upsert(tx: Sql, schema: string, table: TableSpec, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(table.columns);
  const updates = columns.filter((column) => !table.key.includes(column)).map((column) => `${column} = EXCLUDED.${column}`);
  await tx.query(
    `INSERT INTO ${schema}.${table.name} (${columns.join(', ')})
     SELECT ${columns.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${Object.entries(table.columns).map(([name, type]) => `${name} ${type}`).join(', ')})
     ON CONFLICT (${table.key.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
    [JSON.stringify(rows)],
  );
}
