import { APPLIED_TABLE, RUNTIME_SCHEMA, type Generation } from './catalog';
import { ident, type Sql } from './database';
import { GenerationRetiredError, ProjectionFailedError } from './errors';
import { classifyFailure } from './failures';
import type { Projection, ProjectionContext } from './projection';
import type { SourceBatch, SourceEvent } from './source';

const R = RUNTIME_SCHEMA;

export interface BatchTarget {
  readonly projection: Projection;
  readonly generation: Generation;
  readonly live: boolean;
}

export interface BatchHooks {
  /**
   * Verify aligns a scratch build with the live one: the batch stops before the first new
   * event for which this is false, and its checkpoint stays there, so that a later run
   * without the hook delivers that event again. It must pass over a suffix of the log.
   */
  readonly accept?: (event: SourceEvent) => boolean;
  /** Runs last inside the batch's transaction: the rebuild switch uses it, and so do crash tests. */
  readonly beforeCommit?: (tx: Sql, batch: SourceBatch) => Promise<void>;
}

export interface BatchOutcome {
  /** Events new to this generation (not redelivered), handled or not. */
  readonly fresh: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly parked: number;
  readonly position: number;
  readonly lastRecordedAt: string | undefined;
}

interface Decoded {
  readonly event: SourceEvent;
  readonly value: unknown;
}

interface Poison {
  readonly event: SourceEvent;
  readonly error: string;
}

/**
 * One batch, inside the caller's transaction: lock the generation and the partition's
 * checkpoint, drop what was already applied, apply the rest (one event at a time, parking
 * failures, if the batch as a whole fails), then move the per-stream marks and the
 * checkpoint. Everything commits or nothing does.
 */
export async function applyBatch(tx: Sql, target: BatchTarget, batch: SourceBatch, hooks: BatchHooks = {}): Promise<BatchOutcome> {
  const { projection, generation } = target;
  // A read model is derived data: if the last commits are lost in a crash, so is their
  // checkpoint, and the events are applied again. Not waiting for the WAL flush is safe.
  await tx.query('SET LOCAL synchronous_commit TO off');
  await lockGeneration(tx, generation);
  await lockPartition(tx, generation, batch.partition);

  const schema = ident(generation.schemaName);
  const delivered = await freshEvents(tx, schema, batch.events);
  const passedOver = hooks.accept ? delivered.findIndex((event) => !hooks.accept!(event)) : -1;
  const fresh = passedOver < 0 ? delivered : delivered.slice(0, passedOver);
  // The delivered events this batch commits: up to the first passed-over one.
  const events = passedOver < 0 ? batch.events : batch.events.slice(0, batch.events.indexOf(delivered[passedOver]));
  const handled = new Set(projection.eventTypes);
  const decoded: Decoded[] = [];
  const poison: Poison[] = [];
  for (const event of fresh) {
    if (!handled.has(event.type)) continue;
    try {
      decoded.push({ event, value: projection.decode(event) });
    } catch (error) {
      poison.push({ event, error: describeError(error) });
    }
  }

  const context: ProjectionContext = { tx, schema, live: target.live };
  const failedToApply = await applyIsolatingPoison(context, projection, decoded);
  poison.push(...failedToApply);
  if (poison.length > 0) await park(tx, generation, batch.partition, poison);
  await markApplied(tx, schema, fresh);

  const position = Math.max(0, ...events.map((event) => event.position));
  const lastRecordedAt = events.reduce<string | undefined>((latest, event) => (latest && latest > event.recordedAt ? latest : event.recordedAt), undefined);
  const checkpoint = events.length === batch.events.length ? batch.checkpoint : events[events.length - 1]?.checkpoint;
  if (checkpoint !== undefined) {
    await tx.query(
      `INSERT INTO ${R}.checkpoints AS c (projection, generation, partition, checkpoint, position, events_seen, last_recorded_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (projection, generation, partition) DO UPDATE SET
         checkpoint = EXCLUDED.checkpoint,
         position = GREATEST(c.position, EXCLUDED.position),
         events_seen = c.events_seen + EXCLUDED.events_seen,
         last_recorded_at = GREATEST(c.last_recorded_at, EXCLUDED.last_recorded_at),
         updated_at = now()`,
      [generation.projection, generation.generation, batch.partition, checkpoint, position, fresh.length, lastRecordedAt ?? null],
    );
  }
  await hooks.beforeCommit?.(tx, batch);
  return {
    fresh: fresh.length,
    applied: decoded.length - failedToApply.length,
    duplicates: events.length - fresh.length,
    parked: poison.length,
    position,
    lastRecordedAt,
  };
}

/**
 * Shared lock on a generation that is not retired. The rebuild switch retires the old
 * generation with an UPDATE, which waits for in-flight batches and makes later ones see
 * the retirement and stop.
 */
export async function lockGeneration(tx: Sql, generation: Generation): Promise<void> {
  const rows = await tx.query(
    `SELECT 1 FROM ${R}.generations WHERE projection = $1 AND generation = $2 AND state <> 'retired' FOR SHARE`,
    [generation.projection, generation.generation],
  );
  if (rows.length === 0) throw new GenerationRetiredError(generation.projection, generation.generation);
}

/** Serialises batches of one partition, should two processes run the same projection. */
async function lockPartition(tx: Sql, generation: Generation, partition: string): Promise<void> {
  await tx.query(
    `INSERT INTO ${R}.checkpoints (projection, generation, partition) VALUES ($1, $2, $3)
     ON CONFLICT (projection, generation, partition) DO UPDATE SET partition = EXCLUDED.partition`,
    [generation.projection, generation.generation, partition],
  );
}

/** Events past their stream's applied revision; redeliveries and in-batch repeats drop out. */
async function freshEvents(tx: Sql, schema: string, events: readonly SourceEvent[]): Promise<SourceEvent[]> {
  const streams = [...new Set(events.map((event) => event.streamId))];
  const rows = await tx.query<{ stream_id: string; revision: string }>(
    `SELECT stream_id, revision FROM ${schema}.${APPLIED_TABLE} WHERE stream_id = ANY($1::text[])`,
    [streams],
  );
  const applied = new Map(rows.map((row) => [row.stream_id, Number(row.revision)]));
  return events.filter((event) => {
    const before = applied.get(event.streamId) ?? -1;
    if (event.revision <= before) return false;
    applied.set(event.streamId, event.revision);
    return true;
  });
}

async function markApplied(tx: Sql, schema: string, events: readonly SourceEvent[]): Promise<void> {
  if (events.length === 0) return;
  const highest = new Map<string, number>();
  for (const event of events) highest.set(event.streamId, Math.max(highest.get(event.streamId) ?? -1, event.revision));
  await tx.query(
    `INSERT INTO ${schema}.${APPLIED_TABLE} AS a (stream_id, revision)
     SELECT * FROM unnest($1::text[], $2::bigint[])
     ON CONFLICT (stream_id) DO UPDATE SET revision = GREATEST(a.revision, EXCLUDED.revision)`,
    [[...highest.keys()], [...highest.values()]],
  );
}

/** The fast path applies the whole batch; if that fails, each event gets its own savepoint. */
async function applyIsolatingPoison(context: ProjectionContext, projection: Projection, decoded: readonly Decoded[]): Promise<Poison[]> {
  if (decoded.length === 0) return [];
  const { tx } = context;
  await tx.query('SAVEPOINT projection_batch');
  try {
    await projection.apply(context, decoded.map((item) => item.value));
    await tx.query('RELEASE SAVEPOINT projection_batch');
    return [];
  } catch (error) {
    const kind = classifyFailure(error);
    if (kind === 'transient') throw error;
    if (kind === 'fatal') throw new ProjectionFailedError(projection.name, error);
    await tx.query('ROLLBACK TO SAVEPOINT projection_batch');
  }
  const poison: Poison[] = [];
  for (const item of decoded) {
    const error = await applyOne(context, projection, item.event.id, item.value);
    if (error !== undefined) poison.push({ event: item.event, error });
  }
  return poison;
}

/**
 * Applies one event under a savepoint; returns the error message if it failed for a reason
 * of its own. Throws what is not about the event: transient failures and fatal ones.
 */
export async function applyOne(context: ProjectionContext, projection: Projection, eventId: string, value: unknown): Promise<string | undefined> {
  const { tx } = context;
  await tx.query('SAVEPOINT projection_event');
  try {
    await projection.apply(context, [value]);
    await tx.query('RELEASE SAVEPOINT projection_event');
    return undefined;
  } catch (error) {
    const kind = classifyFailure(error);
    if (kind === 'transient') throw error;
    if (kind === 'fatal') throw new ProjectionFailedError(projection.name, error, eventId);
    await tx.query('ROLLBACK TO SAVEPOINT projection_event');
    return describeError(error);
  }
}

async function park(tx: Sql, generation: Generation, partition: string, poison: readonly Poison[]): Promise<void> {
  await tx.query(
    `INSERT INTO ${R}.parked AS p (projection, generation, event_id, partition, stream_id, revision, position, type, event, error)
     SELECT $1, $2, q.event_id, $3, q.stream_id, q.revision, q.position, q.type, q.event, q.error
       FROM unnest($4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::jsonb[], $10::text[])
            AS q(event_id, stream_id, revision, position, type, event, error)
     ON CONFLICT (projection, generation, event_id) DO UPDATE SET
       error = EXCLUDED.error, attempts = p.attempts + 1, last_attempt_at = now()`,
    [
      generation.projection,
      generation.generation,
      partition,
      poison.map((item) => item.event.id),
      poison.map((item) => item.event.streamId),
      poison.map((item) => item.event.revision),
      poison.map((item) => item.event.position),
      poison.map((item) => item.event.type),
      poison.map((item) => JSON.stringify(item.event)),
      poison.map((item) => item.error),
    ],
  );
}

export function describeError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.slice(0, 2000);
}
