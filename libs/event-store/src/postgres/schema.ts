import type { Pool, PoolClient } from 'pg';

/** Expected-revision codes understood by the append function (exact revisions are ≥ 0). */
export const EXPECTED_ANY = -1;
export const EXPECTED_NO_STREAM = -2;
export const EXPECTED_STREAM_EXISTS = -3;

/** SQLSTATE raised by the append function when an expected revision does not hold. */
export const WRONG_EXPECTED_REVISION = 'RA001';

/** SQLSTATE of CREATE OR REPLACE FUNCTION when the result columns differ (42P13, invalid_function_definition). */
const CANNOT_CHANGE_RETURN_TYPE = '42P13';

/** Advisory-lock namespace for stream locks (first key of the two-key form). */
const STREAM_LOCK_NAMESPACE = 72_656_770;

/**
 * Ordered table migrations; each runs once, in its own transaction, recorded in
 * `<schema>.schema_migrations`. Never edit a released entry: add a new one.
 */
function migrations(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    `CREATE TABLE ${s}.events (
       position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       event_id    uuid NOT NULL,
       stream_id   text NOT NULL,
       revision    bigint NOT NULL,
       type        text NOT NULL,
       data        jsonb NOT NULL,
       metadata    jsonb NOT NULL,
       recorded_at timestamptz NOT NULL DEFAULT now(),
       tx_id       xid8 NOT NULL DEFAULT pg_current_xact_id(),
       CONSTRAINT events_event_id_key UNIQUE (event_id),
       CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
     );
     -- Subscriptions read in (transaction, position) order: see subscription.ts.
     CREATE INDEX events_tx_position_idx ON ${s}.events (tx_id, position);`,
    // Null for events appended before it existed: nullable without a default, so no rewrite of the table.
    `ALTER TABLE ${s}.events ADD COLUMN content_hash text;`,
  ];
}

/**
 * The append function, replaced on every migrate so that its body always matches this code.
 * One call = one round trip = one transaction. Data and metadata come as one jsonb array of
 * [data, metadata] pairs: one JSON text for the whole call, where a jsonb[] parameter would
 * escape every event's JSON again as an array literal. An older signature is left in place
 * for processes of the previous release still running during an upgrade.
 *
 * A payload may carry the caller's content hash as a third element; a duplicate is reported as
 * `different_content` when it sits in another stream or both hashes are known and differ.
 *
 * Stream locks are advisory locks taken in hash order BEFORE anything is written, so the
 * transaction id is assigned only once every lock is held: per stream, later revisions always
 * get later transaction ids.
 */
function appendFunction(schema: string): string {
  const s = `"${schema}"`;
  return `CREATE OR REPLACE FUNCTION ${s}.append_events(
       p_streams text[], p_expected bigint[], p_stream_index int[],
       p_ids uuid[], p_types text[], p_payloads jsonb
     ) RETURNS TABLE (event_id uuid, stream_id text, revision bigint, "position" bigint, duplicate boolean, different_content boolean)
     LANGUAGE plpgsql VOLATILE AS $fn$
     #variable_conflict use_column
     DECLARE
       v_known uuid[];
       v_conflict record;
     BEGIN
       PERFORM pg_advisory_xact_lock(${STREAM_LOCK_NAMESPACE}, l.h)
         FROM (SELECT DISTINCT hashtext(x) AS h FROM unnest(p_streams) AS x ORDER BY 1) AS l;

       SELECT coalesce(array_agg(e.event_id), '{}') INTO v_known
         FROM ${s}.events e WHERE e.event_id = ANY (p_ids);

       SELECT r.stream_id, r.expected, r.actual INTO v_conflict
         FROM (
           SELECT st.stream_id, st.expected,
                  coalesce((SELECT max(e.revision) FROM ${s}.events e WHERE e.stream_id = st.stream_id), -1) AS actual
             FROM unnest(p_streams, p_expected) WITH ORDINALITY AS st(stream_id, expected, ord)
            -- 'any' never conflicts: those streams cost nothing here.
            WHERE st.expected <> ${EXPECTED_ANY}
              AND EXISTS (SELECT 1 FROM unnest(p_stream_index, p_ids) AS q(sidx, id)
                           WHERE q.sidx = st.ord AND q.id <> ALL (v_known))
         ) r
        WHERE NOT (
              (r.expected = ${EXPECTED_NO_STREAM} AND r.actual = -1)
           OR (r.expected = ${EXPECTED_STREAM_EXISTS} AND r.actual >= 0)
           OR r.expected = r.actual)
        LIMIT 1;
       IF FOUND THEN
         RAISE EXCEPTION USING ERRCODE = '${WRONG_EXPECTED_REVISION}',
           MESSAGE = 'wrong expected revision',
           DETAIL = json_build_object('streamId', v_conflict.stream_id,
                                      'expected', v_conflict.expected, 'actual', v_conflict.actual)::text;
       END IF;

       RETURN QUERY
       WITH request AS (
         SELECT q.ord, p_streams[q.sidx] AS stream_id, q.id, q.type, q.payload -> 0 AS data, q.payload -> 1 AS metadata,
                q.payload ->> 2 AS content_hash
           FROM ROWS FROM (unnest(p_stream_index), unnest(p_ids), unnest(p_types), jsonb_array_elements(p_payloads))
                WITH ORDINALITY AS q(sidx, id, type, payload, ord)
       ),
       fresh AS (
         SELECT r.*, row_number() OVER (PARTITION BY r.stream_id ORDER BY r.ord) AS n
           FROM request r WHERE r.id <> ALL (v_known)
       ),
       inserted AS (
         INSERT INTO ${s}.events (event_id, stream_id, revision, type, data, metadata, content_hash)
         SELECT f.id, f.stream_id,
                coalesce((SELECT max(e.revision) FROM ${s}.events e WHERE e.stream_id = f.stream_id), -1) + f.n,
                f.type, f.data, f.metadata, f.content_hash
           FROM fresh f ORDER BY f.ord
         RETURNING ${s}.events.event_id, ${s}.events.stream_id, ${s}.events.revision, ${s}.events.position
       )
       SELECT r.id, coalesce(i.stream_id, k.stream_id), coalesce(i.revision, k.revision),
              coalesce(i.position, k.position), i.event_id IS NULL,
              i.event_id IS NULL AND (k.stream_id <> r.stream_id OR k.content_hash <> r.content_hash) IS TRUE
         FROM request r
         LEFT JOIN inserted i ON i.event_id = r.id
         LEFT JOIN ${s}.events k ON i.event_id IS NULL AND k.event_id = r.id
        ORDER BY r.ord;
     END
     $fn$;`;
}

/** An upgrade that changes the function's result columns must drop it first: in one transaction, so no caller sees it missing. */
async function replaceAppendFunction(client: PoolClient, schema: string): Promise<void> {
  try {
    await client.query(appendFunction(schema));
  } catch (error) {
    if ((error as { code?: string }).code !== CANNOT_CHANGE_RETURN_TYPE) throw error;
    await client.query('BEGIN');
    try {
      await client.query(`DROP FUNCTION "${schema}".append_events(text[], bigint[], int[], uuid[], text[], jsonb)`);
      await client.query(appendFunction(schema));
      await client.query('COMMIT');
    } catch (retryError) {
      await client.query('ROLLBACK');
      throw retryError;
    }
  }
}

/** Creates or upgrades the store's schema; safe to call from several processes at once. */
export async function migrate(pool: Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`rapport-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    const applied = new Set(rows.map((row) => row.version));
    const steps = migrations(schema);
    for (const [index, sql] of steps.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    await replaceAppendFunction(client, schema);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`rapport-migrate:${schema}`]).catch(() => undefined);
    client.release();
  }
}
