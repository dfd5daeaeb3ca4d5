import type { Sql } from './database';
import type { ReadModelTable } from './projection';

/** The two merge decisions as a read model sees them (contracts' CustomersMerged / CustomersUnmerged). */
export type MergeDecisionEvent =
  | { readonly type: 'CustomersMerged'; readonly customerId?: string; readonly position: number; readonly data: { readonly into: string; readonly reason: string } }
  | { readonly type: 'CustomersUnmerged'; readonly customerId?: string; readonly position: number; readonly data: { readonly from: string; readonly reason?: string } };

/**
 * Who is merged into whom, for read models that resolve merges when they answer (or recompute):
 * they keep each customer's own rows and look the survivor up here, so an unmerge only clears a
 * row. `into_id` is null once unmerged; `position` is the latest decision's, so a replay changes nothing.
 */
export const mergesTable: ReadModelTable = {
  name: 'merges',
  create: (schema) => `
    CREATE TABLE ${schema}.merges (
      customer_id text PRIMARY KEY,
      into_id     text,
      reason      text,
      position    bigint NOT NULL
    );
    CREATE INDEX ON ${schema}.merges (into_id) WHERE into_id IS NOT NULL`,
};

const isMergeDecision = (event: { readonly type: string }): event is MergeDecisionEvent => event.type === 'CustomersMerged' || event.type === 'CustomersUnmerged';

/** Applies the batch's merge decisions, in order, to `${schema}.merges`; other events are ignored. */
export async function applyMerges(tx: Sql, schema: string, events: readonly { readonly type: string }[]): Promise<void> {
  for (const event of events) {
    if (!isMergeDecision(event) || event.customerId === undefined) continue;
    await tx.query(
      `INSERT INTO ${schema}.merges AS m (customer_id, into_id, reason, position) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE SET into_id = EXCLUDED.into_id, reason = EXCLUDED.reason, position = EXCLUDED.position
        WHERE m.position < EXCLUDED.position`,
      [event.customerId, event.type === 'CustomersMerged' ? event.data.into : null, event.data.reason ?? null, event.position],
    );
  }
}

/** The survivor a merged customer now lives in, by the `merges` table in `schema`; undefined when not merged. */
export async function survivorIn(db: Sql, schema: string, customerId: string): Promise<string | undefined> {
  const [row] = await db.query<{ into_id: string }>(`SELECT into_id FROM ${schema}.merges WHERE customer_id = $1 AND into_id IS NOT NULL`, [customerId]);
  return row?.into_id;
}

/** The customer and every customer merged into it: whose rows a read of `customerId` includes. */
export async function mergeGroupIn(db: Sql, schema: string, customerId: string): Promise<string[]> {
  const rows = await db.query<{ customer_id: string }>(`SELECT customer_id FROM ${schema}.merges WHERE into_id = $1 ORDER BY customer_id`, [customerId]);
  return [customerId, ...rows.map((row) => row.customer_id)];
}
