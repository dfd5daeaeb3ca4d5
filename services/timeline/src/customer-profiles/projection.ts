import { EVENT_TYPES, fromRecordedEvent, MERGE_DECISION_TYPES, streamIdFor, visitorLinkOf, type StoredEvent } from '@rapport/contracts';
import type { Projection, ReadModelTable, Sql } from '@rapport/projections';
import { emptyBatchState, keyOf, type ProfileBatchState, type VisitorClaimRow, type VisitorRow } from './profile-rows';
import { evolve } from './profile-state';

interface TableSpec {
  readonly name: 'profiles' | 'orders' | 'refunds' | 'complaints' | 'callbacks' | 'visitors' | 'visitor_claims';
  /** Column name → SQL type, in table order. */
  readonly columns: Readonly<Record<string, string>>;
  readonly key: readonly string[];
  /** Generated columns and indexes. */
  readonly extra?: (schema: string) => { columns?: string; indexes?: string };
}

const byOwner = (table: string) => (schema: string) => ({ indexes: `CREATE INDEX ON ${schema}.${table} (customer_id);` });

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
      own_first_seen: 'timestamptz',
      own_last_seen: 'timestamptz',
      first_seen: 'timestamptz',
      last_seen: 'timestamptz',
      event_count: 'bigint',
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
    columns: { stream_id: 'text', order_id: 'text', customer_id: 'text', currency: 'text', total: 'bigint', placed_at: 'timestamptz', status: 'text', status_key: 'text' },
    key: ['stream_id', 'order_id'],
    extra: byOwner('orders'),
  },
  {
    name: 'refunds',
    columns: { event_id: 'uuid', stream_id: 'text', customer_id: 'text', order_id: 'text', currency: 'text', amount: 'bigint', returned_at: 'timestamptz' },
    key: ['event_id'],
    extra: (schema) => ({ indexes: `CREATE INDEX ON ${schema}.refunds (customer_id); CREATE INDEX ON ${schema}.refunds (stream_id);` }),
  },
  {
    name: 'complaints',
    columns: {
      stream_id: 'text',
      complaint_id: 'text',
      customer_id: 'text',
      status: 'text',
      status_key: 'text',
      filed_at: 'timestamptz',
      category: 'text',
      severity: 'text',
      order_id: 'text',
      escalation_level: 'int',
    },
    key: ['stream_id', 'complaint_id'],
    extra: byOwner('complaints'),
  },
  {
    name: 'callbacks',
    columns: {
      stream_id: 'text',
      callback_id: 'text',
      customer_id: 'text',
      status: 'text',
      status_key: 'text',
      requested_at: 'timestamptz',
      preferred_window: 'jsonb',
      scheduled_for: 'timestamptz',
      outcome: 'text',
    },
    key: ['stream_id', 'callback_id'],
    extra: byOwner('callbacks'),
  },
  {
    name: 'visitors',
    columns: { anonymous_id: 'text', customer_id: 'text', link_position: 'bigint', first_seen: 'timestamptz', last_seen: 'timestamptz', event_count: 'bigint' },
    key: ['anonymous_id'],
    extra: byOwner('visitors'),
  },
  {
    name: 'visitor_claims',
    columns: { anonymous_id: 'text', customer_id: 'text', position: 'bigint', event_id: 'uuid' },
    key: ['anonymous_id', 'customer_id'],
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
 * status, and the visitors linked to the customer under the identity rule (contracts'
 * identity.ts), whose orders and the rest count for the customer. Each batch locks the
 * customers and visitors it touches (another pod may be writing them from another
 * partition), reads their rows, folds the events in memory (profile-state.ts) and writes
 * them back with one upsert per table.
 */
export const customerProfilesProjection: Projection<StoredEvent> = {
  name: 'customer-profiles',
  version: 2,
  schema: 'customer_profiles',
  // Merges are resolved when a profile is read (identities), so they leave the rows untouched.
  eventTypes: EVENT_TYPES.filter((type) => !MERGE_DECISION_TYPES.includes(type)),
  tables: TABLES.map(tableOf),
  decode: (event) => fromRecordedEvent(event),
  async apply({ tx, schema }, events) {
    const state = await load(tx, schema, events);
    for (const event of events) evolve(state, event);
    const pick = <R>(map: Map<string, R>, keys: Set<string>) => [...keys].map((key) => map.get(key) as R);
    await upsert(tx, schema, spec('visitors'), pick(state.visitors, state.touched.visitors));
    await insertClaims(tx, schema, state.claims);
    await upsert(tx, schema, spec('profiles'), pick(state.profiles, state.touched.profiles));
    await upsert(tx, schema, spec('orders'), pick(state.orders, state.touched.orders));
    await upsert(tx, schema, spec('complaints'), pick(state.complaints, state.touched.complaints));
    await upsert(tx, schema, spec('callbacks'), pick(state.callbacks, state.touched.callbacks));
    await upsert(tx, schema, spec('refunds'), state.refunds);
    if (state.relinked.size > 0) await relink(tx, schema, state);
  },
};

async function load(tx: Sql, schema: string, events: readonly StoredEvent[]): Promise<ProfileBatchState> {
  const customers = new Set<string>();
  const visitors = new Set<string>();
  const keys = { orders: new Set<string>(), complaints: new Set<string>(), callbacks: new Set<string>() };
  for (const event of events) {
    if (event.customerId === undefined) visitors.add(event.anonymousId as string);
    else customers.add(event.customerId);
    const claim = visitorLinkOf(event);
    if (claim) visitors.add(claim.anonymousId);
    const data = event.data as { orderId?: string; complaintId?: string; callbackId?: string };
    if (event.type.startsWith('Order') && data.orderId) keys.orders.add(keyOf(event.streamId, data.orderId));
    if (event.type.startsWith('Complaint') && data.complaintId) keys.complaints.add(keyOf(event.streamId, data.complaintId));
    if (event.type.startsWith('Callback') && data.callbackId) keys.callbacks.add(keyOf(event.streamId, data.callbackId));
  }
  // Another pod may write these customers and visitors from another partition: lock their
  // rows, visitors first (created if need be), then the profiles, each in key order.
  const visitorIds = [...visitors].sort();
  await tx.query(`INSERT INTO ${schema}.visitors (anonymous_id, event_count) SELECT id, 0 FROM unnest($1::text[]) AS id ORDER BY id ON CONFLICT DO NOTHING`, [visitorIds]);
  const visitorRows = await selectRows(tx, schema, spec('visitors'), visitorIds.map((id) => [id]), true);
  for (const visitor of visitorRows) if (visitor.customer_id) customers.add(visitor.customer_id as string);
  const split = (set: Set<string>) => [...set].map((key) => key.split('\u0000'));
  // One after another: they share the batch's connection.
  const profiles = await selectRows(tx, schema, spec('profiles'), [...customers].map((id) => [id]), true);
  const orders = await selectRows(tx, schema, spec('orders'), split(keys.orders));
  const complaints = await selectRows(tx, schema, spec('complaints'), split(keys.complaints));
  const callbacks = await selectRows(tx, schema, spec('callbacks'), split(keys.callbacks));
  const state = emptyBatchState();
  const fill = <R>(target: Map<string, R>, rows: Record<string, unknown>[], key: (row: Record<string, unknown>) => string) => {
    for (const row of rows) target.set(key(row), row as R);
  };
  fill(state.profiles, profiles, (row) => row.customer_id as string);
  fill(state.orders, orders, (row) => keyOf(row.stream_id as string, row.order_id as string));
  fill(state.complaints, complaints, (row) => keyOf(row.stream_id as string, row.complaint_id as string));
  fill(state.callbacks, callbacks, (row) => keyOf(row.stream_id as string, row.callback_id as string));
  fill(state.visitors, visitorRows, (row) => row.anonymous_id as string);
  return state;
}

/** Every claim is kept, at the lowest position its customer made it: losing claims stay visible. */
async function insertClaims(tx: Sql, schema: string, claims: readonly VisitorClaimRow[]): Promise<void> {
  if (claims.length === 0) return;
  await tx.query(
    `INSERT INTO ${schema}.visitor_claims AS c (anonymous_id, customer_id, position, event_id)
     SELECT DISTINCT ON (anonymous_id, customer_id) anonymous_id, customer_id, position, event_id
       FROM jsonb_to_recordset($1::jsonb) AS r(anonymous_id text, customer_id text, position bigint, event_id uuid)
      ORDER BY anonymous_id, customer_id, position
     ON CONFLICT (anonymous_id, customer_id) DO UPDATE SET position = EXCLUDED.position, event_id = EXCLUDED.event_id
      WHERE EXCLUDED.position < c.position`,
    [JSON.stringify(claims)],
  );
}

/**
 * Visitors the batch gave to another customer: their rows not read by the batch change
 * owner too, and both owners' first and last seen are recomputed (one of them lost a visitor).
 */
async function relink(tx: Sql, schema: string, state: ProfileBatchState): Promise<void> {
  const moved = [...state.relinked.keys()].map((anonymousId) => state.visitors.get(anonymousId) as VisitorRow);
  const streams = moved.map((visitor) => streamIdFor({ anonymousId: visitor.anonymous_id }));
  const owners = moved.map((visitor) => visitor.customer_id);
  for (const table of ['orders', 'refunds', 'complaints', 'callbacks']) {
    await tx.query(
      `UPDATE ${schema}.${table} t SET customer_id = m.customer_id FROM unnest($1::text[], $2::text[]) AS m(stream_id, customer_id)
        WHERE t.stream_id = m.stream_id AND t.customer_id IS DISTINCT FROM m.customer_id`,
      [streams, owners],
    );
  }
  const customers = [...new Set([...owners, ...state.relinked.values()].filter((id): id is string => id !== null))];
  await tx.query(
    `UPDATE ${schema}.profiles p SET first_seen = LEAST(p.own_first_seen, v.first_seen), last_seen = GREATEST(p.own_last_seen, v.last_seen)
       FROM (SELECT c.id, min(v.first_seen) AS first_seen, max(v.last_seen) AS last_seen
               FROM unnest($1::text[]) AS c(id) LEFT JOIN ${schema}.visitors v ON v.customer_id = c.id GROUP BY c.id) v
      WHERE p.customer_id = v.id`,
    [customers],
  );
}

/**
 * Rows by primary key, with timestamps as ISO strings and bigints as numbers, as the fold
 * expects; `lock` holds them (in key order) until the batch commits.
 */
async function selectRows(tx: Sql, schema: string, table: TableSpec, keys: string[][], lock = false): Promise<Record<string, unknown>[]> {
  if (keys.length === 0) return [];
  const keyArrays = table.key.map((_, i) => keys.map((key) => key[i]));
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT ${Object.keys(table.columns).join(', ')} FROM ${schema}.${table.name}
      WHERE (${table.key.join(', ')}) IN (SELECT * FROM unnest(${table.key.map((_, i) => `$${i + 1}::text[]`).join(', ')}))
      ${lock ? `ORDER BY ${table.key.join(', ')} FOR UPDATE` : ''}`,
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
