import type { Pool, PoolClient } from 'pg';

export interface SavedCheckpoint {
  /** The event store's opaque resume point after the last acknowledged event. */
  readonly checkpoint: string;
  readonly position: number;
}

/** Exclusive right to publish for one relay name; lost if its connection drops. */
export interface RelayLease {
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Where the relay remembers how far the broker has acknowledged, in PostgreSQL. A
 * checkpoint only moves forwards, and a session-level advisory lock makes sure one relay
 * publishes at a time (a rolling update briefly runs two).
 */
export class RelayCheckpoints {
  private constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  static async open(pool: Pool, schema = 'rapport_relay'): Promise<RelayCheckpoints> {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`'${schema}' is not a valid schema name`);
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.checkpoints (
         name       text PRIMARY KEY,
         checkpoint text NOT NULL,
         position   bigint NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    return new RelayCheckpoints(pool, schema);
  }

  async load(name: string): Promise<SavedCheckpoint | undefined> {
    const { rows } = await this.pool.query<{ checkpoint: string; position: string }>(
      `SELECT checkpoint, position FROM ${this.schema}.checkpoints WHERE name = $1`,
      [name],
    );
    return rows[0] ? { checkpoint: rows[0].checkpoint, position: Number(rows[0].position) } : undefined;
  }

  async save(name: string, saved: SavedCheckpoint): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.schema}.checkpoints AS c (name, checkpoint, position) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, position = EXCLUDED.position, updated_at = now()
       WHERE c.position < EXCLUDED.position`,
      [name, saved.checkpoint, saved.position],
    );
  }

  /** Takes the lease if no one holds it; `undefined` when another relay does. */
  async tryLease(name: string): Promise<RelayLease | undefined> {
    const client: PoolClient = await this.pool.connect();
    let held = false;
    try {
      const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS held', [`${this.schema}:${name}`]);
      held = rows[0].held;
    } finally {
      if (!held) client.release();
    }
    if (!held) return undefined;

    let signalLost!: () => void;
    const lost = new Promise<void>((resolve) => (signalLost = resolve));
    const onError = () => signalLost();
    client.on('error', onError);
    client.on('end', onError);
    let released = false;
    return {
      lost,
      release: async () => {
        if (released) return;
        released = true;
        client.off('error', onError);
        client.off('end', onError);
        try {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`${this.schema}:${name}`]);
          client.release();
        } catch (error) {
          // The connection is gone and the lock with it; don't hand a broken client back.
          client.release(error as Error);
        }
      },
    };
  }
}
