import type { Sql } from '@rapport/projections';

const OPEN_COMPLAINT = ['open', 'responded', 'escalated', 'reopened'];
const PENDING_CALLBACK = ['requested', 'scheduled'];

interface Row {
  kind: 'complaint' | 'callback';
  source_id: string;
  status: string;
  category: string | null;
  severity: string | null;
  escalation_level: number;
  opened_at: Date | null;
  state: { orderId: string | null; preferredWindow: unknown; scheduledFor: string | null };
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/**
 * The open complaints and pending callbacks of a customer and of those merged into it
 * (`customerIds`, the customer first), from the cases read model: what the timeline's profile
 * shows, so the profile and the work queue cannot disagree. The embedded process wires this in
 * directly (one database); the scaled timeline asks GET /v1/cases/by-customer/{id}.
 */
export async function readCustomerCases(db: Sql, customerIds: readonly string[]) {
  const rows = await db.query<Row>(
    `SELECT kind, source_id, status, category, severity, escalation_level, opened_at, state FROM cases.cases
      WHERE customer_id = ANY($1) AND status = ANY($2) ORDER BY opened_at NULLS LAST, case_id`,
    [customerIds, [...OPEN_COMPLAINT, ...PENDING_CALLBACK]],
  );
  return {
    openComplaints: rows
      .filter((row) => row.kind === 'complaint')
      .map((row) => ({
        complaintId: row.source_id,
        status: row.status,
        category: row.category,
        severity: row.severity,
        orderId: row.state.orderId,
        filedAt: iso(row.opened_at),
        escalationLevel: row.escalation_level,
      })),
    pendingCallbacks: rows
      .filter((row) => row.kind === 'callback')
      .map((row) => ({ callbackId: row.source_id, status: row.status, requestedAt: iso(row.opened_at), preferredWindow: row.state.preferredWindow, scheduledFor: iso(row.state.scheduledFor) })),
  };
}
