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
 * A customer's open complaints and pending callbacks, from the cases read model: what the
 * timeline's profile shows when both services share a database (the embedded process wires
 * this in), so the profile and the work queue cannot disagree.
 */
export async function readCustomerCases(db: Sql, customerId: string) {
  const rows = await db.query<Row>(
    `SELECT kind, source_id, status, category, severity, escalation_level, opened_at, state FROM cases.cases
      WHERE customer_id = $1 AND status = ANY($2) ORDER BY opened_at NULLS LAST, case_id`,
    [customerId, [...OPEN_COMPLAINT, ...PENDING_CALLBACK]],
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
