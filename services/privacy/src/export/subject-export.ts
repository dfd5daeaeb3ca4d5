import type { EventStore, RecordedEvent } from '@rapport/event-store';
import { RUNTIME_SCHEMA, type Sql } from '@rapport/projections';

const EVENT_PAGE = 500;
const ROW_PAGE = 1000;

/** Columns naming a customer: its own rows, and (`into_id`, the merges tables) the customers merged into it. */
const CUSTOMER_COLUMNS = ['customer_id', 'into_id'];

/** A read model relation (view or table) that names customers in some of the `CUSTOMER_COLUMNS`. */
interface CustomerRelation {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly string[];
}

/**
 * Every relation outside the system schemas with a column naming customers, read through the
 * views (generation schemas `<schema>_g<n>` are what the views point at, so they are skipped).
 */
export async function customerRelations(db: Sql): Promise<CustomerRelation[]> {
  const rows = await db.query<{ table_schema: string; table_name: string; columns: string[] }>(
    `SELECT c.table_schema, c.table_name, array_agg(c.column_name::text ORDER BY c.column_name) AS columns FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.column_name = ANY($2::text[]) AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
        AND c.table_schema !~ '_g[0-9]+$' AND c.table_schema <> $1
      GROUP BY c.table_schema, c.table_name
      ORDER BY c.table_schema, c.table_name`,
    [RUNTIME_SCHEMA, CUSTOMER_COLUMNS],
  );
  return rows.map((row) => ({ schema: row.table_schema, name: row.table_name, columns: row.columns }));
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

function exportedEvent(event: RecordedEvent) {
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    recordedAt: event.recordedAt,
    metadata: event.metadata,
    data: event.data,
  };
}

/** Streams whose events are about the customer besides `customer-<id>`: its decisions and its cases. */
function relatedStreams(event: RecordedEvent, into: Set<string>): void {
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (typeof data.complaintId === 'string') into.add(`complaint-${data.complaintId}`);
  if (typeof data.callbackId === 'string') into.add(`callback-${data.callbackId}`);
  if (event.type === 'CustomerRegistered' && typeof data.previousAnonymousId === 'string') into.add(`visitor-${data.previousAnonymousId}`);
}

async function* streamEvents(store: EventStore, streamId: string, seen: Set<string> | undefined, first: { value: boolean }): AsyncGenerator<string> {
  let from = 0;
  for (;;) {
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: EVENT_PAGE });
    for (const event of page) {
      if (seen) relatedStreams(event, seen);
      yield `${first.value ? '' : ','}\n    ${JSON.stringify(exportedEvent(event))}`;
      first.value = false;
    }
    if (page.length < EVENT_PAGE) return;
    from = page[page.length - 1].revision + 1;
  }
}

/**
 * Everything held about a customer as one JSON document, produced piece by piece: the events
 * of its streams as the store hands them out (decrypted where the store decrypts), then each
 * read model's rows, a page at a time, so a long history is never held in memory.
 */
export async function* subjectExport(store: EventStore, db: Sql, customerId: string, exportedAt: string): AsyncGenerator<string> {
  yield `{\n  "customerId": ${JSON.stringify(customerId)},\n  "exportedAt": ${JSON.stringify(exportedAt)},\n  "events": [`;
  const related = new Set<string>();
  const first = { value: true };
  yield* streamEvents(store, `customer-${customerId}`, related, first);
  for (const own of [`loyalty-${customerId}`, `segment-${customerId}`]) related.add(own);
  for (const streamId of [...related].sort()) yield* streamEvents(store, streamId, undefined, first);
  yield `\n  ],\n  "readModels": {`;
  let firstRelation = true;
  for (const relation of await customerRelations(db)) {
    yield `${firstRelation ? '' : ','}\n    ${JSON.stringify(`${relation.schema}.${relation.name}`)}: [`;
    firstRelation = false;
    let firstRow = true;
    for (let offset = 0; ; offset += ROW_PAGE) {
      const rows = await db.query<{ row: unknown }>(
        `SELECT to_jsonb(r) AS row FROM ${quoted(relation.schema)}.${quoted(relation.name)} r
          WHERE ${relation.columns.map((column) => `r.${quoted(column)} = $1`).join(' OR ')}
          ORDER BY to_jsonb(r)::text LIMIT ${ROW_PAGE} OFFSET ${offset}`,
        [customerId],
      );
      for (const { row } of rows) {
        yield `${firstRow ? '' : ','}\n      ${JSON.stringify(row)}`;
        firstRow = false;
      }
      if (rows.length < ROW_PAGE) break;
    }
    yield firstRow ? ']' : '\n    ]';
  }
  yield `\n  }\n}\n`;
}
