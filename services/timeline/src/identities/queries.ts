import { mergeGroupIn, survivorIn, type Sql } from '@rapport/projections';

export const IDENTITIES_SCHEMA = 'identities';

/** The customer a merged id now lives in, if it is merged. */
export const survivorOf = (db: Sql, customerId: string) => survivorIn(db, IDENTITIES_SCHEMA, customerId);

/** The customer and every customer merged into it: whose rows a read of `customerId` includes. */
export const mergeGroup = (db: Sql, customerId: string) => mergeGroupIn(db, IDENTITIES_SCHEMA, customerId);

export interface IdentitySummary {
  readonly customerId: string;
  /** Customers merged into this one; their identifiers are listed too. */
  readonly merged: readonly { readonly customerId: string; readonly reason: string | null }[];
  /** Visitors linked to the customer (or a merged one) whose claim wins: the first by global position. */
  readonly anonymousIds: readonly string[];
  readonly emails: readonly string[];
  readonly phones: readonly string[];
}

export async function readIdentity(db: Sql, customerId: string): Promise<IdentitySummary> {
  const merged = await db.query<{ customer_id: string; reason: string | null }>(
    `SELECT customer_id, reason FROM identities.merges WHERE into_id = $1 ORDER BY customer_id`,
    [customerId],
  );
  const group = [customerId, ...merged.map((row) => row.customer_id)];
  const rows = await db.query<{ kind: string; value: string }>(
    `SELECT DISTINCT kind, value FROM identities.identifiers i
      WHERE customer_id = ANY($1::text[])
        AND (kind <> 'anonymous' OR NOT EXISTS (
              SELECT 1 FROM identities.identifiers o
               WHERE o.kind = 'anonymous' AND o.value = i.value AND o.position < i.position AND NOT o.customer_id = ANY($1::text[])))
      ORDER BY kind, value`,
    [group],
  );
  const of = (kind: string) => rows.filter((row) => row.kind === kind).map((row) => row.value);
  return { customerId, merged: merged.map((row) => ({ customerId: row.customer_id, reason: row.reason })), anonymousIds: of('anonymous'), emails: of('email'), phones: of('phone') };
}
