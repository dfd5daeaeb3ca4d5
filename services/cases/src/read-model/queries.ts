import type { Database } from '@rapport/projections';
import { CaseNotFoundError, InvalidInputError } from '../errors';

export interface QueueFilter {
  readonly kind?: 'complaint' | 'callback';
  readonly status?: string;
  readonly assignee?: string;
  readonly breached?: boolean;
  readonly dueBefore?: string;
  readonly customerId?: string;
  readonly cursor?: string;
  readonly limit: number;
}

export interface QueueItem {
  readonly caseId: string;
  readonly kind: string;
  readonly id: string;
  readonly customerId: string | null;
  readonly status: string;
  readonly severity: string | null;
  readonly category: string | null;
  readonly channel: string | null;
  readonly reason: string | null;
  readonly assigneeId: string | null;
  readonly escalationLevel: number;
  readonly flags: readonly string[];
  readonly openedAt: string | null;
  readonly dueAt: string | null;
  readonly dueMetric: string | null;
  readonly breached: boolean;
}

interface CaseRow {
  case_id: string;
  kind: string;
  source_id: string;
  customer_id: string | null;
  status: string;
  severity: string | null;
  category: string | null;
  channel: string | null;
  reason: string | null;
  assignee_id: string | null;
  escalation_level: number;
  flags: string[];
  opened_at: Date | null;
  closed_at: Date | null;
  due_at: Date | null;
  due_metric: string | null;
  due_key: string;
  breached: boolean;
  clocks: unknown;
}

const COLUMNS = 'case_id, kind, source_id, customer_id, status, severity, category, channel, reason, assignee_id, escalation_level, flags, opened_at, closed_at, due_at, due_metric, due_sort::text AS due_key, breached';
const isoOrNull = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

function item(row: CaseRow): QueueItem {
  return {
    caseId: row.case_id,
    kind: row.kind,
    id: row.source_id,
    customerId: row.customer_id,
    status: row.status,
    severity: row.severity,
    category: row.category,
    channel: row.channel,
    reason: row.reason,
    assigneeId: row.assignee_id,
    escalationLevel: row.escalation_level,
    flags: row.flags,
    openedAt: isoOrNull(row.opened_at),
    dueAt: isoOrNull(row.due_at),
    dueMetric: row.due_metric,
    breached: row.breached,
  };
}

/** The cursor is the last item's place in due order: (due instant or infinity, case id). */
function encodeCursor(row: CaseRow): string {
  return Buffer.from(JSON.stringify([row.due_key, row.case_id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && (value[0] === 'infinity' || !Number.isNaN(Date.parse(value[0])))) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the 400
  }
  throw new InvalidInputError('cursor', 'must be the nextCursor of a previous page');
}

/** The work queue: cases ordered by due instant (none last), keyset-paged. */
export async function readQueue(db: Database, filter: QueueFilter): Promise<{ items: QueueItem[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.kind) add('kind = ?', filter.kind);
  if (filter.status) add('status = ?', filter.status);
  if (filter.assignee) add('assignee_id = ?', filter.assignee);
  if (filter.breached !== undefined) add('breached = ?', filter.breached);
  if (filter.dueBefore) add('due_sort < ?', filter.dueBefore);
  if (filter.customerId) add('customer_id = ?', filter.customerId);
  if (filter.cursor) {
    const [due, caseId] = decodeCursor(filter.cursor);
    params.push(due, caseId);
    where.push(`(due_sort, case_id) > ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(filter.limit + 1);
  const rows = await db.query<CaseRow>(
    `SELECT ${COLUMNS} FROM cases.cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY due_sort, case_id LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, filter.limit);
  return { items: page.map(item), nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1]) : null };
}

export interface CaseDetails extends QueueItem {
  readonly closedAt: string | null;
  readonly clocks: unknown;
  /** Complaints: the feedback that names it (CSAT 1–5, NPS 0–10), oldest first. */
  readonly feedback: readonly { readonly rating: number | null; readonly nps: number | null; readonly givenAt: string }[];
  readonly history: readonly {
    readonly eventId: string;
    readonly type: string;
    readonly occurredAt: string;
    readonly streamId: string;
    readonly source: string;
    readonly actor: unknown;
    readonly data: unknown;
  }[];
}

/** One case with its full history (time order) and its clocks. `caseId` is its stream name, e.g. `complaint-cmp-1`. */
export async function readCase(db: Database, caseId: string): Promise<CaseDetails> {
  const [row] = await db.query<CaseRow>(`SELECT ${COLUMNS}, clocks FROM cases.cases WHERE case_id = $1`, [caseId]);
  if (!row) {
    const [kind, ...rest] = caseId.split('-');
    throw new CaseNotFoundError(kind === 'callback' ? 'callback' : 'complaint', rest.join('-') || caseId);
  }
  // A complaint's history includes its customer's messages that name no complaint, from filing to its last resolution.
  const unlinked =
    row.kind === 'complaint' && row.customer_id !== null && row.opened_at !== null
      ? `UNION ALL SELECT event_id, 'MessageSent', occurred_at, stream_id, source, actor, data, position FROM cases.customer_messages
          WHERE customer_id = $2 AND occurred_at >= $3 AND ($4::timestamptz IS NULL OR occurred_at <= $4)`
      : '';
  const events = await db.query<{ event_id: string; type: string; occurred_at: Date; stream_id: string; source: string; actor: unknown; data: unknown }>(
    `SELECT event_id, type, occurred_at, stream_id, source, actor, data, position FROM cases.case_events WHERE case_id = $1 ${unlinked} ORDER BY occurred_at, position`,
    unlinked ? [caseId, row.customer_id, row.opened_at, row.closed_at] : [caseId],
  );
  const feedback =
    row.kind === 'complaint'
      ? await db.query<{ rating: number | null; nps: number | null; occurred_at: Date }>(
          `SELECT rating, nps, occurred_at FROM cases.feedback WHERE complaint_id = $1 ORDER BY occurred_at, event_id`,
          [row.source_id],
        )
      : [];
  return {
    ...item(row),
    closedAt: isoOrNull(row.closed_at),
    clocks: row.clocks,
    feedback: feedback.map((f) => ({ rating: f.rating, nps: f.nps, givenAt: new Date(f.occurred_at).toISOString() })),
    history: events.map((event) => ({
      eventId: event.event_id,
      type: event.type,
      occurredAt: new Date(event.occurred_at).toISOString(),
      streamId: event.stream_id,
      source: event.source,
      actor: event.actor,
      data: event.data,
    })),
  };
}
