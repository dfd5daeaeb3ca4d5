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

/** Parked events retried per transaction: each holds row locks and a transaction id, which pauses every store subscription (the xmin rule) until it commits. */
export const RETRY_CHUNK = 100;

/**
 * Applies parked events again, oldest first, between the runner's batches, in transactions
 * of at most `chunk` events. Those that succeed leave the list in the same transaction; the
 * others keep their latest error.
 */
export async function retryParked(runner: GenerationRunner, projection: Projection, eventId: string | 'all', chunk = RETRY_CHUNK): Promise<RetryReport> {
  const applied: string[] = [];
  const stillFailing: Array<{ eventId: string; error: string }> = [];
  let after = { position: -1, eventId: '' };
  for (;;) {
    const rows = await runner.transaction((tx) => retryChunk(tx, runner, projection, { eventId, after, chunk, applied, stillFailing }));
    if (rows.length < chunk) break;
    const last = rows[rows.length - 1];
    after = { position: Number(last.position), eventId: last.event_id };
  }
  return { projection: runner.generation.projection, retried: applied.length + stillFailing.length, applied, stillFailing };
}

interface ChunkOptions {
  readonly eventId: string | 'all';
  readonly after: { readonly position: number; readonly eventId: string };
  readonly chunk: number;
  readonly applied: string[];
  readonly stillFailing: Array<{ eventId: string; error: string }>;
}

async function retryChunk(tx: Sql, runner: GenerationRunner, projection: Projection, options: ChunkOptions) {
  const generation = runner.generation;
  const rows = await tx.query<{ event_id: string; position: string; event: SourceEvent }>(
    `SELECT event_id, position, event FROM ${R}.parked
      WHERE projection = $1 AND generation = $2 AND ($3::text IS NULL OR event_id = $3) AND (position, event_id) > ($4::bigint, $5::text)
      ORDER BY position, event_id LIMIT $6 FOR UPDATE`,
    [generation.projection, generation.generation, options.eventId === 'all' ? null : options.eventId, options.after.position, options.after.eventId, options.chunk],
  );
  const context = { tx, schema: ident(generation.schemaName), live: runner.live };
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
      options.applied.push(row.event_id);
      await tx.query(`DELETE FROM ${R}.parked WHERE projection = $1 AND generation = $2 AND event_id = $3`, key);
    } else {
      options.stillFailing.push({ eventId: row.event_id, error });
      await tx.query(
        `UPDATE ${R}.parked SET error = $4, attempts = attempts + 1, last_attempt_at = now()
          WHERE projection = $1 AND generation = $2 AND event_id = $3`,
        [...key, error],
      );
    }
  }
  return rows;
}
