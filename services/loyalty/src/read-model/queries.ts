import type { Sql } from '@rapport/projections';

export interface LedgerEntry {
  readonly eventId: string;
  readonly position: number;
  readonly occurredAt: string;
  readonly type: string;
  /** Points the event carries (signed for adjustments; for tier changes 0). */
  readonly points: number;
  readonly availableDelta: number;
  readonly pendingDelta: number;
  /** Balances after this movement. */
  readonly availableAfter: number;
  readonly pendingAfter: number;
  readonly reason: string;
  readonly rule: string;
  readonly rulesVersion: string;
  readonly sourceEventId: string;
  readonly lotId: string | null;
  readonly orderId: string | null;
}

export interface LedgerPage {
  readonly customerId: string;
  readonly entries: readonly LedgerEntry[];
  readonly nextCursor: string | null;
}

/** Every movement of one account, oldest first, with running balances; the cursor is the last position seen. */
export async function readLedger(db: Sql, customerId: string, cursor: number | undefined, limit: number, members: readonly string[] = [customerId]): Promise<LedgerPage> {
  const rows = await db.query<Record<string, string | null>>(
    `SELECT * FROM (
       SELECT event_id, position, occurred_at, type, points, available_delta, pending_delta, reason, rule, rules_version, source_event_id,
              lot_id, order_id,
              sum(available_delta) OVER (ORDER BY position) AS available_after,
              sum(pending_delta) OVER (ORDER BY position) AS pending_after
         FROM loyalty.ledger WHERE customer_id = ANY($1::text[])
     ) l WHERE position > $2 ORDER BY position LIMIT $3`,
    [members, cursor ?? 0, limit + 1],
  );
  const page = rows.slice(0, limit).map(
    (row): LedgerEntry => ({
      eventId: row.event_id as string,
      position: Number(row.position),
      occurredAt: new Date(row.occurred_at as string).toISOString(),
      type: row.type as string,
      points: Number(row.points),
      availableDelta: Number(row.available_delta),
      pendingDelta: Number(row.pending_delta),
      availableAfter: Number(row.available_after),
      pendingAfter: Number(row.pending_after),
      reason: row.reason as string,
      rule: row.rule as string,
      rulesVersion: row.rules_version as string,
      sourceEventId: row.source_event_id as string,
      lotId: row.lot_id,
      orderId: row.order_id,
    }),
  );
  return { customerId, entries: page, nextCursor: rows.length > limit ? String(page[page.length - 1].position) : null };
}

export interface LoyaltySummary {
  readonly from: string;
  readonly to: string;
  /** As of `to`: accounts per tier, lowest first (accounts without a tier change are in the lowest tier). */
  readonly membersPerTier: Record<string, number>;
  readonly members: number;
  /** As of `to`: points customers hold, spendable and pending. */
  readonly liability: { readonly available: number; readonly pending: number; readonly total: number };
  readonly months: readonly { month: string; earned: number; redeemed: number; expired: number; reversed: number; adjusted: number }[];
}

/** Members per tier and outstanding points as of `to`, and movements per month in [from, to). */
export async function readSummary(db: Sql, from: string, to: string, tierNames: readonly string[]): Promise<LoyaltySummary> {
  const [tiers, liability, months] = await Promise.all([
    db.query<{ tier: string | null; members: string }>(
      `SELECT t.tier, count(*) AS members FROM (
         SELECT DISTINCT ON (customer_id) customer_id, tier FROM loyalty.ledger
          WHERE occurred_at <= $1 ORDER BY customer_id, (tier IS NOT NULL) DESC, CASE WHEN tier IS NULL THEN 0 ELSE position END DESC
       ) t GROUP BY t.tier`,
      [to],
    ),
    db.query<{ available: string | null; pending: string | null }>(
      'SELECT sum(available_delta) AS available, sum(pending_delta) AS pending FROM loyalty.ledger WHERE occurred_at <= $1',
      [to],
    ),
    db.query<{ month: string; earned: string; redeemed: string; expired: string; reversed: string; adjusted: string }>(
      `SELECT to_char(date_trunc('month', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
              coalesce(sum(points) FILTER (WHERE type = 'PointsEarned'), 0) AS earned,
              coalesce(sum(points) FILTER (WHERE type = 'PointsRedeemed'), 0) AS redeemed,
              coalesce(sum(points) FILTER (WHERE type = 'PointsExpired'), 0) AS expired,
              coalesce(sum(points) FILTER (WHERE type = 'PointsReversed'), 0) AS reversed,
              coalesce(sum(points) FILTER (WHERE type = 'PointsAdjusted'), 0) AS adjusted
         FROM loyalty.ledger WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY 1 ORDER BY 1`,
      [from, to],
    ),
  ]);
  // Every tier of the rules, lowest first, then any older tier names still held.
  const membersPerTier: Record<string, number> = Object.fromEntries(tierNames.map((name) => [name, 0]));
  let members = 0;
  for (const row of tiers) {
    const tier = row.tier ?? tierNames[0];
    membersPerTier[tier] = (membersPerTier[tier] ?? 0) + Number(row.members);
    members += Number(row.members);
  }
  const available = Number(liability[0]?.available ?? 0);
  const pending = Number(liability[0]?.pending ?? 0);
  return {
    from,
    to,
    membersPerTier,
    members,
    liability: { available, pending, total: available + pending },
    months: months.map((row) => ({
      month: row.month,
      earned: Number(row.earned),
      redeemed: Number(row.redeemed),
      expired: Number(row.expired),
      reversed: Number(row.reversed),
      adjusted: Number(row.adjusted),
    })),
  };
}
