import { createHash } from 'node:crypto';
import { APPLIED_TABLE, covers, createGeneration, dropGeneration, type Generation } from './catalog';
import { ident, type Database, type Sql } from './database';
import { IllegalStateError } from './errors';
import type { Projection } from './projection';
import { sleep } from './rebuild';
import { GenerationRunner, type RunnerLogger } from './runner';
import type { EventSource } from './source';

export interface TableHash {
  readonly table: string;
  readonly rows: number;
  readonly hash: string;
}

export interface ContentHash {
  readonly generation: number;
  readonly hash: string;
  readonly tables: readonly TableHash[];
}

export interface VerifyReport {
  readonly projection: string;
  readonly equal: boolean;
  readonly live: ContentHash;
  readonly scratch: ContentHash;
  /** Tables whose hashes differ. */
  readonly differences: readonly string[];
}

export interface VerifyOptions {
  readonly db: Database;
  readonly projection: Projection;
  readonly live: GenerationRunner;
  readonly source: EventSource;
  readonly logger?: RunnerLogger;
  /** How many times to try lining the scratch build up with the live one before giving up. */
  readonly attempts?: number;
}

/**
 * Rebuilds the projection into a scratch schema and compares content hashes with the live
 * tables at the same point of the log:
 * 1. build the scratch generation until it has caught up (the live one keeps running);
 * 2. pause the live runner between batches; if the scratch build got ahead of it, resume
 *    and try again;
 * 3. feed the scratch build only events the paused live generation has applied, until
 *    both have applied exactly the same events; hash both, resume the live runner.
 */
export async function verifyProjection(options: VerifyOptions): Promise<VerifyReport> {
  const { db, projection, live } = options;
  const scratch = await createGeneration(db, projection, 'scratch');
  const runner = new GenerationRunner({ db, projection, generation: scratch, source: options.source, live: false, logger: options.logger });
  try {
    for (let attempt = 1; attempt <= (options.attempts ?? 20); attempt++) {
      runner.hooks = {};
      await runUntilCaughtUp(runner);
      const resume = await pauseWhenCaughtUp(live);
      try {
        if (!(await covers(db, live.generation, scratch))) continue;
        const applied = await appliedRevisions(db, live.generation);
        runner.hooks = { accept: (event) => event.revision <= (applied.get(event.streamId) ?? -1) };
        await runUntilCaughtUp(runner);
        if (!(await covers(db, scratch, live.generation))) continue;
        const [liveHash, scratchHash] = [await contentHash(db, projection, live.generation), await contentHash(db, projection, scratch)];
        const differences = liveHash.tables.filter((table, i) => table.hash !== scratchHash.tables[i]?.hash).map((table) => table.table);
        return { projection: projection.name, equal: liveHash.hash === scratchHash.hash, live: liveHash, scratch: scratchHash, differences };
      } finally {
        resume();
      }
    }
    throw new IllegalStateError(`could not line a scratch build of ${projection.name} up with the live one; try again when the load is lower`);
  } finally {
    await runner.stop();
    await dropGeneration(db, scratch);
  }
}

async function runUntilCaughtUp(runner: GenerationRunner): Promise<void> {
  runner.start();
  try {
    while (!runner.caughtUp) {
      if (runner.lastError && !runner.running) throw new IllegalStateError(runner.lastError);
      await sleep(20);
    }
  } finally {
    await runner.stop();
  }
}

/** Pauses the live runner at a moment it has caught up, so its tables hold a whole prefix of the log. */
async function pauseWhenCaughtUp(runner: GenerationRunner): Promise<() => void> {
  while (!runner.caughtUp) await sleep(10);
  return runner.pause();
}

async function appliedRevisions(db: Sql, generation: Generation): Promise<Map<string, number>> {
  const rows = await db.query<{ stream_id: string; revision: string }>(`SELECT stream_id, revision FROM ${ident(generation.schemaName)}.${APPLIED_TABLE}`);
  return new Map(rows.map((row) => [row.stream_id, Number(row.revision)]));
}

/**
 * Order-independent hash of each read-model table: the sum of the rows' md5s (60 bits
 * each) and the row count. Columns marked unhashed are left out.
 */
export async function contentHash(db: Sql, projection: Projection, generation: Generation): Promise<ContentHash> {
  const tables: TableHash[] = [];
  for (const table of projection.tables) {
    const columns = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [generation.schemaName, table.name],
    );
    const hashed = columns.map((column) => column.column_name).filter((name) => !(table.unhashedColumns ?? []).includes(name));
    const row = `ROW(${hashed.map((name) => `t.${ident(name)}`).join(', ')})::text`;
    const [result] = await db.query<{ rows: string; total: string }>(
      `SELECT count(*) AS rows, coalesce(sum(('x' || substr(md5(${row}), 1, 15))::bit(60)::bigint::numeric), 0)::text AS total
         FROM ${ident(generation.schemaName)}.${ident(table.name)} t`,
    );
    tables.push({ table: table.name, rows: Number(result.rows), hash: sha256(`${result.rows}:${result.total}`).slice(0, 32) });
  }
  return {
    generation: generation.generation,
    hash: sha256(tables.map((table) => `${table.table}=${table.hash}`).join('\n')),
    tables,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
