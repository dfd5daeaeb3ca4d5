import type { Sql } from '@rapport/projections';

export interface ConsentRecord {
  readonly eventId: string;
  readonly purpose: string;
  readonly channel: string;
  readonly granted: boolean;
  readonly occurredAt: string;
  readonly policyVersion: string | null;
  readonly source: string;
}

export interface CustomerConsents {
  readonly customerId: string;
  /** The latest change per purpose and channel. */
  readonly current: readonly ConsentRecord[];
  /** Every change, oldest first. */
  readonly history: readonly ConsentRecord[];
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));

const record = (row: Record<string, unknown>): ConsentRecord => ({
  eventId: row.event_id as string,
  purpose: row.purpose as string,
  channel: row.channel as string,
  granted: row.granted as boolean,
  occurredAt: iso(row.occurred_at),
  policyVersion: (row.policy_version as string | null) ?? null,
  source: row.source as string,
});

export async function readConsents(db: Sql, customerId: string): Promise<CustomerConsents> {
  const rows = await db.query(
    `SELECT event_id, purpose, channel, granted, occurred_at, policy_version, source FROM consents.history
      WHERE customer_id = $1 ORDER BY occurred_at, position`,
    [customerId],
  );
  const history = rows.map(record);
  const latest = new Map<string, ConsentRecord>();
  for (const change of history) latest.set(`${change.purpose}/${change.channel}`, change);
  return { customerId, current: [...latest.values()], history };
}

/**
 * Whether each customer had consented to `purpose` on `channel` at `at`: the latest change for
 * that channel or for `any` decides; no change at all means no consent.
 */
export async function checkConsents(db: Sql, purpose: string, channel: string, customerIds: readonly string[], at: string): Promise<Map<string, boolean>> {
  const rows = await db.query<{ customer_id: string; granted: boolean | null }>(
    `SELECT c.customer_id, (
            SELECT h.granted FROM consents.history h
             WHERE h.customer_id = c.customer_id AND h.purpose = $1 AND (h.channel = $2 OR h.channel = 'any') AND h.occurred_at <= $4
             ORDER BY h.occurred_at DESC, h.position DESC LIMIT 1) AS granted
       FROM unnest($3::text[]) AS c(customer_id)`,
    [purpose, channel, customerIds, at],
  );
  return new Map(rows.map((row) => [row.customer_id, row.granted === true]));
}

export interface Violation {
  readonly eventId: string;
  readonly customerId: string;
  readonly occurredAt: string;
  readonly channel: string;
  readonly campaign: string;
  readonly source: string;
}

export interface ViolationPage {
  readonly violations: readonly Violation[];
  readonly nextCursor: string | null;
}

/** Campaign messages sent without a marketing consent, oldest first, keyset-paged by position. */
export async function readViolations(db: Sql, options: { from?: string; to?: string; customerId?: string; afterPosition?: number; limit: number }): Promise<ViolationPage> {
  const rows = await db.query(
    `SELECT event_id, customer_id, position, occurred_at, channel, campaign, source FROM consents.campaign_messages
      WHERE NOT consented AND ($1::timestamptz IS NULL OR occurred_at >= $1) AND ($2::timestamptz IS NULL OR occurred_at < $2)
        AND ($3::text IS NULL OR customer_id = $3) AND position > $4
      ORDER BY position LIMIT $5`,
    [options.from ?? null, options.to ?? null, options.customerId ?? null, options.afterPosition ?? 0, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  return {
    violations: page.map((row) => ({
      eventId: row.event_id as string,
      customerId: row.customer_id as string,
      occurredAt: iso(row.occurred_at),
      channel: row.channel as string,
      campaign: row.campaign as string,
      source: row.source as string,
    })),
    nextCursor: rows.length > options.limit ? String(page[page.length - 1].position) : null,
  };
}
