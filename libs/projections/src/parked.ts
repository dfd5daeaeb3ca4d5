import { applyOne, describeError } from './batch';
import { RUNTIME_SCHEMA, type Generation } from './catalog';
import { ident, type Sql } from './database';
import type { Projection } from './projection';
import type { GenerationRunner } from './runner';
import type { SourceEvent } from './source';

const R = RUNTIME_SCHEMA;

/** An event a projection could not apply, kept with the error until it is retried. */
export interface ParkedEvent {
  readonly projection: string;
  readonly generation: number;
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
  readonly lastAttemptAt: string;
}

export interface RetryReport {
  readonly projection: string;
  readonly retried: number;
  /** Applied this time and no longer parked. */
  readonly applied: readonly string[];
  readonly stillFailing: ReadonlyArray<{ readonly eventId: string; readonly error: string }>;
}

interface ParkedRow {
  projection: string;
  generation: number;
  event_id: string;
  type: string;
  stream_id: string;
  revision: string;
  position: string;
  error: string;
  attempts: number;
  parked_at: Date;
  last_attempt_at: Date;
}

export async function listParked(db: Sql, generation: Generation, limit: number): Promise<ParkedEvent[]> {
  const rows = await db.query<ParkedRow>(
    `SELECT projection, generation, event_id, type, stream_id, revision, position, error, attempts, parked_at, last_attempt_at
       FROM ${R}.parked WHERE projection = $1 AND generation = $2 ORDER BY position LIMIT $3`,
    [generation.projection, generation.generation, limit],
  );
  return rows.map((row) => ({
    projection: row.projection,
    generation: row.generation,
    eventId: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    error: row.error,
    attempts: row.attempts,
    parkedAt: row.parked_at.toISOString(),
    lastAttemptAt: row.last_attempt_at.toISOString(),
  }));
}

export async function countParked(db: Sql, generation: Generation): Promise<number> {
  const [row] = await db.query<{ count: string }>(`SELECT count(*) AS count FROM ${R}.parked WHERE projection = $1 AND generation = $2`, [
    generation.projection,
    generation.generation,
  ]);
  return Number(row.count);
}

/**
 * Applies parked events again, oldest first, between the runner's batches. Those that
 * succeed leave the list in the same transaction; the others keep their latest error.
 */
export async function retryParked(runner: GenerationRunner, projection: Projection, eventId: string | 'all'): Promise<RetryReport> {
  const generation = runner.generation;
  return runner.transaction(async (tx) => {
    const rows = await tx.query<{ event_id: string; event: SourceEvent }>(
      `SELECT event_id, event FROM ${R}.parked
        WHERE projection = $1 AND generation = $2 AND ($3::text IS NULL OR event_id = $3)
        ORDER BY position FOR UPDATE`,
      [generation.projection, generation.generation, eventId === 'all' ? null : eventId],
    );
    const context = { tx, schema: ident(generation.schemaName), live: runner.live };
    const applied: string[] = [];
    const stillFailing: Array<{ eventId: string; error: string }> = [];
    for (const row of rows) {
      let error: string | undefined;
      let value: unknown;
      try {
        value = projection.decode(row.event);
      } catch (decodeError) {
        error = describeError(decodeError);
      }
      error ??= await applyOne(context, projection, row.event_id, value);
      const key = [generation.projection, generation.generation, row.event_id];
      if (error === undefined) {
        applied.push(row.event_id);
        await tx.query(`DELETE FROM ${R}.parked WHERE projection = $1 AND generation = $2 AND event_id = $3`, key);
      } else {
        stillFailing.push({ eventId: row.event_id, error });
        await tx.query(
          `UPDATE ${R}.parked SET error = $4, attempts = attempts + 1, last_attempt_at = now()
            WHERE projection = $1 AND generation = $2 AND event_id = $3`,
          [...key, error],
        );
      }
    }
    return { projection: generation.projection, retried: rows.length, applied, stillFailing };
  });
}
