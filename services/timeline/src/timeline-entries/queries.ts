import { isoDateTime } from '@rapport/contracts';
import type { Sql } from '@rapport/projections';
import type { Audience } from '../audience';
import { InvalidQueryError } from '../errors';
import { ENTRY_COLUMNS } from './projection';

export type TimelineOrder = 'newest' | 'oldest';

export interface TimelineQuery {
  readonly customerId: string;
  /** Whose entries the page holds: the customer and those merged into it (identities' mergeGroup); the customer alone when left out. */
  readonly members?: readonly string[];
  readonly types?: readonly string[];
  readonly channels?: readonly string[];
  /** Inclusive lower bound on occurredAt (ISO-8601). */
  readonly from?: string;
  /** Exclusive upper bound on occurredAt. */
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
  readonly order: TimelineOrder;
}

export interface EntryLink {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  /** What the two entries share, e.g. `order:536365`. */
  readonly via: string;
}

export interface TimelineEntry {
  readonly eventId: string;
  readonly customerId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly position: number;
  readonly channel: string | null;
  readonly source: string;
  readonly summary: string;
  readonly amount: { readonly value: number; readonly currency: string } | null;
  readonly related: { readonly orderId?: string; readonly complaintId?: string; readonly callbackId?: string };
  /** The staff member who caused the event; left out for analysts. */
  readonly actor?: { readonly id: string; readonly name?: string } | null;
  readonly links?: readonly EntryLink[];
}

export interface TimelinePage {
  readonly entries: readonly TimelineEntry[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** A row as selected with ENTRY_COLUMNS (from a query, or from a NOTIFY payload where timestamps are strings). */
export interface EntryRow {
  event_id: string;
  customer_id: string;
  position: string | number;
  occurred_at: Date | string;
  type: string;
  channel: string | null;
  source: string;
  summary: string;
  public_summary: string;
  amount: string | number | null;
  currency: string | null;
  refs: string[];
  actor: { id: string; name?: string } | null;
  stream_id: string;
  revision: string | number;
}

const MAX_LINKS = 20;
const RELATED_KEYS: Record<string, 'orderId' | 'complaintId' | 'callbackId'> = { order: 'orderId', complaint: 'complaintId', callback: 'callbackId' };
// Microsecond-exact text of occurred_at, so a cursor compares equal to the row it came from.
const OCCURRED_KEY = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_key`;

export function toEntry(row: EntryRow, audience: Audience): TimelineEntry {
  const related: Record<string, string> = {};
  for (const ref of row.refs) {
    const [kind, ...id] = ref.split(':');
    const key = RELATED_KEYS[kind];
    if (key && !(key in related)) related[key] = id.join(':');
  }
  return {
    eventId: row.event_id,
    customerId: row.customer_id,
    type: row.type,
    occurredAt: new Date(row.occurred_at).toISOString(),
    position: Number(row.position),
    channel: row.channel,
    source: row.source,
    summary: audience === 'staff' ? row.summary : row.public_summary,
    amount: row.amount === null || row.currency === null ? null : { value: Number(row.amount), currency: row.currency },
    related,
    ...(audience === 'staff' ? { actor: row.actor } : {}),
  };
}

/**
 * One page, keyset-paginated on (occurredAt, position): an entry inserted while a client
 * pages (even a late one, in the middle) never shifts or repeats what the client sees.
 */
export async function readTimeline(db: Sql, query: TimelineQuery, audience: Audience): Promise<TimelinePage> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.order);
  const newest = query.order === 'newest';
  const rows = await db.query<EntryRow & { occurred_key: string }>(
    `SELECT ${ENTRY_COLUMNS.join(', ')}, ${OCCURRED_KEY}
       FROM timeline.entries
      WHERE customer_id = ANY($1::text[])
        AND ($2::text[] IS NULL OR type = ANY($2))
        AND ($3::text[] IS NULL OR channel = ANY($3))
        AND ($4::timestamptz IS NULL OR occurred_at >= $4)
        AND ($5::timestamptz IS NULL OR occurred_at < $5)
        AND ($6::timestamptz IS NULL OR (occurred_at, position) ${newest ? '<' : '>'} ($6::timestamptz, $7::bigint))
      ORDER BY occurred_at ${newest ? 'DESC' : 'ASC'}, position ${newest ? 'DESC' : 'ASC'}
      LIMIT $8`,
    [query.members ?? [query.customerId], query.types ?? null, query.channels ?? null, query.from ?? null, query.to ?? null, after?.at ?? null, after?.position ?? null, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const links = await linksFor(db, query.members ?? [query.customerId], page);
  return {
    entries: page.map((row) => ({ ...toEntry(row, audience), links: links.get(row.event_id) ?? [] })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.occurred_key, Number(last.position), query.order) : null,
  };
}

export async function readEntry(db: Sql, customerId: string, eventId: string): Promise<EntryRow | undefined> {
  const [row] = await db.query<EntryRow>(`SELECT ${ENTRY_COLUMNS.join(', ')} FROM timeline.entries WHERE customer_id = $1 AND event_id = $2`, [customerId, eventId]);
  return row;
}

/** For each entry of the page, the customer's other entries about the same order, complaint or callback. */
async function linksFor(db: Sql, members: readonly string[], page: readonly EntryRow[]): Promise<Map<string, EntryLink[]>> {
  const refs = [...new Set(page.flatMap((row) => row.refs))];
  const links = new Map<string, EntryLink[]>();
  if (refs.length === 0) return links;
  const related = await db.query<{ event_id: string; type: string; occurred_at: Date; ref: string }>(
    `SELECT event_id, type, occurred_at, ref FROM timeline.refs
      WHERE customer_id = ANY($1::text[]) AND ref = ANY($2::text[])
      ORDER BY occurred_at, position LIMIT 2000`,
    [members, refs],
  );
  for (const row of page) {
    const own = new Set(row.refs);
    const mine: EntryLink[] = [];
    const linked = new Set<string>();
    for (const other of related) {
      if (other.event_id === row.event_id || linked.has(other.event_id) || mine.length >= MAX_LINKS || !own.has(other.ref)) continue;
      linked.add(other.event_id);
      mine.push({ eventId: other.event_id, type: other.type, occurredAt: other.occurred_at.toISOString(), via: other.ref });
    }
    links.set(row.event_id, mine);
  }
  return links;
}

function encodeCursor(at: string, position: number, order: TimelineOrder): string {
  return Buffer.from(JSON.stringify([at, position, order])).toString('base64url');
}

/** The exact shape OCCURRED_KEY writes; anything else is not our cursor (and may not be a PostgreSQL time). */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
// The shape alone lets 2024-02-30 through, which PostgreSQL refuses; the contracts' rule knows the calendar.
const isCursorTime = (at: string) => CURSOR_TIME.test(at) && isoDateTime.safeParse(at).success;

function decodeCursor(cursor: string, order: TimelineOrder): { at: string; position: number } {
  try {
    const [at, position, cursorOrder] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown, unknown];
    if (typeof at !== 'string' || !isCursorTime(at) || !Number.isSafeInteger(position)) throw new Error('malformed');
    if (cursorOrder !== order) throw new InvalidQueryError('cursor', `this cursor pages the timeline ${String(cursorOrder)} first; keep order=${String(cursorOrder)}`);
    return { at, position: position as number };
  } catch (error) {
    if (error instanceof InvalidQueryError) throw error;
    throw new InvalidQueryError('cursor', 'is not a cursor returned by this API');
  }
}
