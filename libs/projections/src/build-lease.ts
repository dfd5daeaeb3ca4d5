import { RUNTIME_SCHEMA } from './catalog';
import type { Database } from './database';

/** The right to build and switch a projection's next generation; one process holds it at a time. */
export interface BuildLease {
  release(): Promise<void>;
}

/**
 * Takes the projection's build lease, a session-level advisory lock on a connection of its
 * own, if no process sharing the database holds it; `undefined` when one does. A process
 * that dies loses it with its connection, and another one carries its build on. Should the
 * connection drop while the process lives, two processes may build one generation at once:
 * their batches serialise on the checkpoint rows and the second switch finds it done.
 */
export async function tryBuildLease(db: Database, projection: string): Promise<BuildLease | undefined> {
  const key = `${RUNTIME_SCHEMA}.build:${projection}`;
  const { client, release } = await db.connect();
  let held = false;
  try {
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS held', [key]);
    held = rows[0].held;
  } catch (error) {
    release(error as Error);
    throw error;
  }
  if (!held) {
    release();
    return undefined;
  }
  // A held connection that breaks emits 'error'; unheard, that would end the process.
  const ignore = () => undefined;
  client.on('error', ignore);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      client.off('error', ignore);
      try {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
        release();
      } catch (error) {
        // The connection is gone and the lock with it; a broken client is not handed back.
        release(error as Error);
      }
    },
  };
}
