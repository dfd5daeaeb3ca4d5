import {
  erasePersonalData,
  EVENT_TYPES,
  fromRecordedEvent,
  fromRecordedLoyaltyEvent,
  fromRecordedSegmentEvent,
  isLoyaltyEventType,
  isSegmentEventType,
  LOYALTY_EVENT_TYPES,
  MERGE_DECISION_TYPES,
  SEGMENT_EVENT_TYPES,
  visitorLinkOf,
  type StoredEvent,
  type StoredLoyaltyEvent,
  type StoredSegmentEvent,
  type VisitorLink,
} from '@rapport/contracts';
import type { Projection, Sql } from '@rapport/projections';
import { entryDetails } from './summaries';

/** NOTIFY channel carrying each new entry (as a row) while the projection is live; the SSE stream listens. */
export const TIMELINE_CHANNEL = 'rapport_timeline';

/** Columns an entry is read with, by queries and by NOTIFY payloads alike. */
export const ENTRY_COLUMNS = [
  'event_id',
  'customer_id',
  'position',
  'occurred_at',
  'type',
  'channel',
  'source',
  'summary',
  'public_summary',
  'amount',
  'currency',
  'refs',
  'actor',
  'stream_id',
  'revision',
] as const;

/**
 * One row per event: what happened, where, a one-line summary, money, and what it is
 * about. Visitor events are kept under their anonymous id and move to the customer when a
 * registration names that visitor (whichever of the two arrives first); of two customers
 * naming one visitor, the registration with the lower position wins (contracts' identity
 * rule), even when it arrives second.
 */
export const timelineProjection: Projection<StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent> = {
  name: 'timeline',
  // 3: entries keep how their summary reads once the customer is erased.
  version: 3,
  schema: 'timeline',
  // Loyalty and segment decisions show up in the customer's timeline too. Merges do not: the
  // identity slice resolves them when a timeline is read, so an unmerge leaves no trace here.
  eventTypes: [...EVENT_TYPES.filter((type) => !MERGE_DECISION_TYPES.includes(type)), ...LOYALTY_EVENT_TYPES, ...SEGMENT_EVENT_TYPES],
  tables: [
    {
      name: 'entries',
      create: (schema) => `
        CREATE TABLE ${schema}.entries (
          event_id       uuid PRIMARY KEY,
          customer_id    text,
          anonymous_id   text,
          position       bigint NOT NULL,
          stream_id      text NOT NULL,
          revision       bigint NOT NULL,
          occurred_at    timestamptz NOT NULL,
          type           text NOT NULL,
          channel        text,
          source         text NOT NULL,
          summary        text NOT NULL,
          public_summary text NOT NULL,
          amount         bigint,
          currency       text,
          refs           text[] NOT NULL,
          actor          jsonb,
          -- The summaries as they read after erasure, where they differ: a CustomerErased switches to them.
          erased_summary        text,
          erased_public_summary text
        );
        CREATE INDEX ON ${schema}.entries (customer_id, occurred_at DESC, position DESC);
        CREATE INDEX ON ${schema}.entries (anonymous_id) WHERE customer_id IS NULL;`,
    },
    {
      // One row per (entry, thing it is about), so links are an index lookup, not a scan of a long timeline.
      name: 'refs',
      create: (schema) => `
        CREATE TABLE ${schema}.refs (
          customer_id text NOT NULL,
          ref         text NOT NULL,
          occurred_at timestamptz NOT NULL,
          position    bigint NOT NULL,
          event_id    uuid NOT NULL,
          type        text NOT NULL,
          PRIMARY KEY (customer_id, ref, occurred_at, position)
        )`,
    },
    {
      name: 'visitors',
      // One row per visitor seen or claimed (the row batches lock); customer_id and position
      // are the winning registration's, null while unlinked.
      create: (schema) => `CREATE TABLE ${schema}.visitors (anonymous_id text PRIMARY KEY, customer_id text, position bigint)`,
    },
  ],
  decode: (event) =>
    isLoyaltyEventType(event.type) ? fromRecordedLoyaltyEvent(event) : isSegmentEventType(event.type) ? fromRecordedSegmentEvent(event) : fromRecordedEvent(event),
  async apply({ tx, schema, live }, events) {
    const links = events.map(visitorLinkOf).filter((link): link is VisitorLink => link !== undefined);
    const visitors = events.flatMap((event) => (event.anonymousId !== undefined ? [event.anonymousId] : []));
    await lockVisitors(tx, schema, [...visitors, ...links.map((link) => link.anonymousId)]);
    await insertEntries(tx, schema, live, events);
    if (links.length > 0) await linkVisitors(tx, schema, live, links);
    const erased = events.flatMap((event) => (event.type === 'CustomerErased' && event.customerId !== undefined ? [event.customerId] : []));
    if (erased.length > 0) await eraseEntries(tx, schema, erased);
  },
};

/**
 * A visitor's events and the registration naming it may be in two partitions, written by two
 * pods at once. Both lock the visitor's row first (creating it if need be, in key order), so
 * the second reads what the first committed and no entry stays unlinked.
 */
async function lockVisitors(tx: Sql, schema: string, anonymousIds: readonly string[]): Promise<void> {
  if (anonymousIds.length === 0) return;
  const ids = [...new Set(anonymousIds)].sort();
  await tx.query(`INSERT INTO ${schema}.visitors (anonymous_id) SELECT id FROM unnest($1::text[]) AS id ORDER BY id ON CONFLICT DO NOTHING`, [ids]);
  await tx.query(`SELECT 1 FROM ${schema}.visitors WHERE anonymous_id = ANY($1::text[]) ORDER BY anonymous_id FOR UPDATE`, [ids]);
}

/** Refs rows of entries just written (and known to belong to a customer), inside the same statement. */
const insertRefs = (schema: string, entries: string) => `
       INSERT INTO ${schema}.refs (customer_id, ref, occurred_at, position, event_id, type)
       SELECT e.customer_id, r.ref, e.occurred_at, e.position, e.event_id, e.type FROM ${entries} e, unnest(e.refs) AS r(ref)
        WHERE e.customer_id IS NOT NULL
       ON CONFLICT DO NOTHING`;

async function insertEntries(tx: Sql, schema: string, live: boolean, events: readonly (StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent)[]): Promise<void> {
  const rows = events.map((event) => {
    const details = entryDetails(event);
    const erasedData = erasePersonalData(event.type, event.data);
    const erased = erasedData === event.data ? details : entryDetails({ ...event, data: erasedData } as typeof event);
    return {
      event_id: event.id,
      customer_id: event.customerId ?? null,
      anonymous_id: event.anonymousId ?? null,
      position: event.position,
      stream_id: event.streamId,
      revision: event.revision,
      occurred_at: event.occurredAt,
      type: event.type,
      channel: details.channel,
      source: event.source,
      summary: details.summary,
      public_summary: details.publicSummary,
      amount: details.amount,
      currency: details.currency,
      refs: details.refs,
      actor: event.actor ?? null,
      erased_summary: erased.summary === details.summary ? null : erased.summary,
      erased_public_summary: erased.publicSummary === details.publicSummary ? null : erased.publicSummary,
    };
  });
  await tx.query(
    `WITH inserted AS (
       INSERT INTO ${schema}.entries (event_id, customer_id, anonymous_id, position, stream_id, revision, occurred_at, type, channel,
                                      source, summary, public_summary, amount, currency, refs, actor, erased_summary, erased_public_summary)
       SELECT r.event_id, coalesce(r.customer_id, v.customer_id), r.anonymous_id, r.position, r.stream_id, r.revision, r.occurred_at,
              r.type, r.channel, r.source, r.summary, r.public_summary, r.amount, r.currency, r.refs, r.actor, r.erased_summary, r.erased_public_summary
         FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, customer_id text, anonymous_id text, position bigint, stream_id text,
                revision bigint, occurred_at timestamptz, type text, channel text, source text, summary text, public_summary text,
                amount bigint, currency text, refs text[], actor jsonb, erased_summary text, erased_public_summary text)
         LEFT JOIN ${schema}.visitors v ON r.customer_id IS NULL AND v.anonymous_id = r.anonymous_id
       ON CONFLICT (event_id) DO NOTHING
       RETURNING ${ENTRY_COLUMNS.join(', ')}
     ), refs AS (
       ${insertRefs(schema, 'inserted')}
     )
     SELECT pg_notify('${TIMELINE_CHANNEL}', row_to_json(i)::text) FROM inserted i WHERE $2 AND i.customer_id IS NOT NULL`,
    [JSON.stringify(rows), live],
  );
}

/**
 * An erased customer's entries (its visitors' included) switch to their erased summaries: the
 * rows a rebuild gives once the key is destroyed and the same events read as markers.
 */
async function eraseEntries(tx: Sql, schema: string, customerIds: readonly string[]): Promise<void> {
  await tx.query(
    `UPDATE ${schema}.entries SET summary = coalesce(erased_summary, summary), public_summary = coalesce(erased_public_summary, public_summary),
            erased_summary = NULL, erased_public_summary = NULL
      WHERE customer_id = ANY($1::text[]) AND (erased_summary IS NOT NULL OR erased_public_summary IS NOT NULL)`,
    [customerIds],
  );
}

/** Claims win by lowest position; entries (and their refs) move to the winner, from nobody or from an earlier holder. */
async function linkVisitors(tx: Sql, schema: string, live: boolean, links: readonly VisitorLink[]): Promise<void> {
  await tx.query(
    `WITH claims AS (
       SELECT DISTINCT ON (anonymous_id) anonymous_id, customer_id, position
         FROM unnest($1::text[], $2::text[], $3::bigint[]) AS l(anonymous_id, customer_id, position)
        ORDER BY anonymous_id, position
     ), previous AS (
       SELECT v.anonymous_id, v.customer_id FROM ${schema}.visitors v JOIN claims USING (anonymous_id)
     ), linked AS (
       INSERT INTO ${schema}.visitors AS v (anonymous_id, customer_id, position) SELECT * FROM claims
       ON CONFLICT (anonymous_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, position = EXCLUDED.position
        WHERE v.position IS NULL OR EXCLUDED.position < v.position
       RETURNING anonymous_id, customer_id
     ), moved AS (
       UPDATE ${schema}.entries e SET customer_id = l.customer_id FROM linked l
        WHERE e.anonymous_id = l.anonymous_id AND e.customer_id IS DISTINCT FROM l.customer_id
       RETURNING e.anonymous_id, ${ENTRY_COLUMNS.map((column) => `e.${column}`).join(', ')}
     ), unref AS (
       DELETE FROM ${schema}.refs r USING moved m JOIN previous p USING (anonymous_id)
        WHERE r.customer_id = p.customer_id AND r.event_id = m.event_id
     ), refs AS (
       ${insertRefs(schema, 'moved')}
     )
     SELECT pg_notify('${TIMELINE_CHANNEL}', row_to_json(m)::text) FROM (SELECT ${ENTRY_COLUMNS.join(', ')} FROM moved) m WHERE $4`,
    [links.map((link) => link.anonymousId), links.map((link) => link.customerId), links.map((link) => link.position), live],
  );
}
