import { parseEvent, parseSegmentEvent, segmentStreamId, streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { ConcurrencyError, type EventStore, type StreamAppend } from '@rapport/event-store';
import type { Database } from '@rapport/projections';
import { v5 as uuidv5 } from 'uuid';
import { SNAPSHOT_SCHEMA } from '../snapshot/schema';

/** Fixed namespace of the segments service's derived event ids. */
export const SEGMENTS_NAMESPACE = '3b0f6c1e-8a52-4d07-9e1b-6f2c4a9d7e35';

export const segmentChangeId = (customerId: string, asOf: string, to: string) => uuidv5(`segment:${customerId}|${asOf}|${to}`, SEGMENTS_NAMESPACE);
export const retentionCallbackId = (customerId: string, asOf: string, to: string) => uuidv5(`retention:${customerId}|${asOf}|${to}`, SEGMENTS_NAMESPACE);

/** Segments whose entry by a top net-value customer asks staff to call them back. */
export const RETENTION_SEGMENTS = ['at_risk', 'cant_lose'] as const;
export const RETENTION_WINDOW = { from: '09:00', to: '17:00' } as const;

export interface ChangeReport {
  readonly previousAsOf: string | null;
  readonly changed: number;
  readonly appended: number;
  readonly retentionCallbacks: number;
  /** Retention moves without a callback: the customer left no phone number. */
  readonly retentionWithoutPhone: number;
}

interface ChangeRow {
  customer_id: string;
  from: string;
  to: string;
  r: number | null;
  f: number | null;
  m: number | null;
  top_value: boolean;
  phone: string | null;
}

const CHUNK = 500;

/**
 * Compares the snapshot of `asOf` with the one before it and appends one CustomerSegmentChanged
 * per customer whose segment differs (to `segment-<id>`, expected revision from the last append),
 * plus one retention CallbackRequested to `customer-<id>` for each top net-value customer moving
 * into at_risk or cant_lose. Ids are derived from customer, as-of and segment, so running it
 * again (or after a crash half-way) stores nothing twice. The first snapshot is the baseline.
 */
export async function appendSegmentChanges(db: Database, store: EventStore, asOf: string, now: () => Date = () => new Date()): Promise<ChangeReport> {
  const asOfIso = new Date(asOf).toISOString();
  const [previous] = await db.query<{ as_of: Date }>(`SELECT as_of FROM ${SNAPSHOT_SCHEMA}.snapshots WHERE as_of < $1 ORDER BY as_of DESC LIMIT 1`, [asOf]);
  if (!previous) return { previousAsOf: null, changed: 0, appended: 0, retentionCallbacks: 0, retentionWithoutPhone: 0 };
  const previousAsOf = previous.as_of.toISOString();
  const rows = await db.query<ChangeRow>(
    `SELECT cur.customer_id, coalesce(prev.segment, 'prospect') AS "from", cur.segment AS "to", cur.r, cur.f, cur.m,
            coalesce(cur.net_value_score = 5, false) AS top_value, k.phone
       FROM ${SNAPSHOT_SCHEMA}.customers cur
       LEFT JOIN ${SNAPSHOT_SCHEMA}.customers prev ON prev.as_of = $2 AND prev.customer_id = cur.customer_id
       LEFT JOIN segments.contacts k ON k.customer_id = cur.customer_id
      WHERE cur.as_of = $1 AND NOT cur.excluded AND coalesce(prev.segment, 'prospect') IS DISTINCT FROM cur.segment
      ORDER BY cur.customer_id`,
    [asOf, previousAsOf],
  );
  let appended = 0;
  let retentionCallbacks = 0;
  let retentionWithoutPhone = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const receivedAt = now().toISOString();
    const changes = chunk.map((row) => changeEvent(row, asOfIso, previousAsOf));
    appended += await appendWithRevisions(db, store, changes, receivedAt);
    const callbacks: StreamAppend[] = [];
    for (const row of chunk) {
      if (!row.top_value || !(RETENTION_SEGMENTS as readonly string[]).includes(row.to)) continue;
      if (row.phone === null) {
        retentionWithoutPhone++;
        continue;
      }
      const event = callbackEvent(row, asOfIso);
      // The customer's stream is written by every emitter; the derived id alone keeps this once.
      callbacks.push({ streamId: streamIdFor(event), expectedRevision: 'any', events: [toStoredEvent(event, receivedAt)] });
    }
    if (callbacks.length > 0) {
      const results = await store.appendMany(callbacks);
      retentionCallbacks += results.reduce((sum, result) => sum + result.events.filter((event) => !event.duplicate).length, 0);
    }
  }
  const report = { previousAsOf, changed: rows.length, appended, retentionCallbacks, retentionWithoutPhone };
  await db.query(`UPDATE ${SNAPSHOT_SCHEMA}.snapshots SET changes = $2 WHERE as_of = $1`, [asOf, JSON.stringify(report)]);
  return report;
}

function changeEvent(row: ChangeRow, asOf: string, previousAsOf: string): Envelope<string, unknown> & { customerId: string } {
  const event = {
    id: segmentChangeId(row.customer_id, asOf, row.to),
    type: 'CustomerSegmentChanged',
    version: 1,
    customerId: row.customer_id,
    occurredAt: asOf,
    source: 'segments',
    data: { from: row.from, to: row.to, ...(row.r !== null ? { scores: { r: row.r, f: row.f, m: row.m } } : {}), asOf, previousAsOf },
  };
  const parsed = parseSegmentEvent(event);
  if (!parsed.ok) throw new Error(`segment change for ${row.customer_id} is invalid: ${JSON.stringify(parsed.errors)}`);
  return event;
}

function callbackEvent(row: ChangeRow, asOf: string): Envelope<string, unknown> & { customerId: string } {
  const id = retentionCallbackId(row.customer_id, asOf, row.to);
  const event = {
    id,
    type: 'CallbackRequested',
    version: 1,
    customerId: row.customer_id,
    occurredAt: asOf,
    source: 'segments',
    data: { callbackId: `retention-${id}`, reason: 'retention', phone: row.phone, preferredWindow: RETENTION_WINDOW },
  };
  const parsed = parseEvent(event);
  if (!parsed.ok) throw new Error(`retention callback for ${row.customer_id} is invalid: ${JSON.stringify(parsed.errors)}`);
  return event;
}

/** Appends each customer's change with the expected revision last recorded; a stream that moved on is re-read and tried again. */
async function appendWithRevisions(db: Database, store: EventStore, events: readonly (Envelope<string, unknown> & { customerId: string })[], receivedAt: string): Promise<number> {
  const ids = events.map((event) => event.customerId);
  const known = new Map(
    (await db.query<{ customer_id: string; revision: string }>(`SELECT customer_id, revision FROM ${SNAPSHOT_SCHEMA}.streams WHERE customer_id = ANY($1)`, [ids])).map((row) => [
      row.customer_id,
      Number(row.revision),
    ]),
  );
  for (let attempt = 1; ; attempt++) {
    const appends: StreamAppend[] = events.map((event) => {
      const revision = known.get(event.customerId) ?? -1;
      return { streamId: segmentStreamId(event.customerId), expectedRevision: revision < 0 ? 'no_stream' : revision, events: [toStoredEvent(event, receivedAt)] };
    });
    try {
      const results = await store.appendMany(appends);
      const revisions = results.map((result) => ({ customer_id: result.streamId.slice('segment-'.length), revision: result.nextExpectedRevision }));
      await db.query(
        `INSERT INTO ${SNAPSHOT_SCHEMA}.streams SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, revision bigint)
         ON CONFLICT (customer_id) DO UPDATE SET revision = greatest(streams.revision, excluded.revision)`,
        [JSON.stringify(revisions)],
      );
      return results.reduce((sum, result) => sum + result.events.filter((event) => !event.duplicate).length, 0);
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= 20) throw error;
      known.set(error.streamId.slice('segment-'.length), error.actual);
    }
  }
}
