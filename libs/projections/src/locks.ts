import type { Sql } from './database';

/**
 * Locks, until the batch's transaction ends, the subjects (customers, visitors, …) that a
 * batch is about to read and write back. Batches of different partitions — other pods — may
 * touch the same customer (a visitor's events land in the visitor's partition); with these
 * locks, whichever comes second reads what the first committed. The rows may not exist yet,
 * hence advisory locks rather than row locks, taken in key order so two batches cannot
 * deadlock on them. `scope` (e.g. the generation's schema and a kind) keeps unrelated
 * read models from waiting on each other.
 */
export async function lockSubjects(tx: Sql, scope: string, ids: Iterable<string>): Promise<void> {
  const keys = [...new Set(ids)];
  if (keys.length === 0) return;
  await tx.query(
    `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended($1 || id, 0) AS k FROM unnest($2::text[]) AS id ORDER BY k) s`,
    [`${scope}:`, keys],
  );
}
