import { Module, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPostgresEventStore, type EventStore } from '@rapport/event-store';
import { sealedStore, type Keyring } from '@rapport/personal-data';
import { ApiKeyStore, createLogger, StaffStore, type Logger } from '@rapport/platform';
import { createHttpApp, PlatformModule } from '@rapport/platform/nest';
import { Pool } from 'pg';
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SESSION_IDLE_MINUTES } from './config';
import { serveConsole } from './console-static';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './database';
import { removeRuntime, writeRuntime, type DataDirLayout } from './data-dir';
import { ensureDevKeys, type DevKeys } from './dev-keys';
import { ensureDevStaff, type DevStaff } from './dev-staff';
import { PortInUseError } from './errors';
import { loadMasterKeys } from './master-keys';
import { serviceModules } from './service-modules';

export interface EmbeddedPlatformOptions {
  readonly dataDir?: string;
  /** 0 picks a free port; `url` reports the real one. */
  readonly port?: number;
  readonly host?: string;
  /** Preferred PostgreSQL port (RAPPORT_PG_PORT); a free one is used when it is taken. */
  readonly pgPort?: number;
  readonly log?: Logger;
  /** Console sessions unused for this long end (RAPPORT_SESSION_IDLE_MINUTES, default 30). */
  readonly sessionIdleMinutes?: number;
  /** Where the console's build is; default services/console/dist. */
  readonly consoleDir?: string;
}

export interface EmbeddedPlatform {
  readonly url: string;
  readonly databaseUrl: string;
  readonly keys: DevKeys;
  /** Roles whose dev key was (re)created by this start. */
  readonly createdKeys: readonly string[];
  /** One console account per staff role, with its password. */
  readonly staff: DevStaff;
  /** Roles whose dev staff account was created or given a new password by this start. */
  readonly createdStaff: readonly string[];
  /** `${url}/console/`, or null when the console is not built. */
  readonly consoleUrl: string | null;
  readonly layout: DataDirLayout;
  /** Closes the app, the store and PostgreSQL, and removes runtime.json. Safe to call twice. */
  stop(): Promise<void>;
}

@Module({})
class EmbeddedAppModule {}

/**
 * Every service in one process on one port, on an embedded PostgreSQL under `dataDir`.
 * Whatever started before a failure is stopped again before the error is thrown.
 */
export async function startEmbeddedPlatform(options: EmbeddedPlatformOptions = {}): Promise<EmbeddedPlatform> {
  const { dataDir = DEFAULT_DATA_DIR, port = DEFAULT_PORT, host = DEFAULT_HOST } = options;
  const logger = options.log ?? createLogger({ level: 'info', serviceName: 'rapport' });
  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
  };

  try {
    const database: EmbeddedDatabase = await startEmbeddedDatabase({
      dataDir,
      pgPort: options.pgPort,
      command: 'rapport up',
      onLog: (line) => logger.debug({ postgres: String(line).trim() }, 'postgres'),
      onNotice: (message) => logger.warn({ dataDir }, message),
    });
    cleanups.push(() => database.stop());
    const { databaseUrl, layout } = database;

    const store = await createPostgresEventStore({ connectionString: databaseUrl });
    cleanups.push(() => store.close());
    const keysPool = new Pool({ connectionString: databaseUrl, max: 4 });
    cleanups.push(() => keysPool.end());
    // An idle connection that PostgreSQL closes (it gets Ctrl-C too) must not crash the process.
    const onIdleError = (error: Error & { code?: string }) => {
      // 57P01: PostgreSQL is shutting down, which is expected once we are stopping.
      if (stopping || error.code === '57P01') logger.debug({ err: error.message }, 'database connection closed');
      else logger.warn({ err: error.message }, 'database connection closed');
    };
    for (const pool of [store.pool, keysPool]) pool.on('error', onIdleError);
    const apiKeys = new ApiKeyStore(keysPool);
    await apiKeys.migrate();
    const { keys, created } = await ensureDevKeys(apiKeys, layout.devKeys);
    const staffStore = new StaffStore(keysPool, 'rapport_auth', { idleTimeoutMs: (options.sessionIdleMinutes ?? DEFAULT_SESSION_IDLE_MINUTES) * 60_000 });
    await staffStore.migrate();
    const devStaff = await ensureDevStaff(staffStore, layout.devStaff);
    // The one place encryption is hooked in: every service reads and writes through it, the store holds ciphertext.
    const { store: services, keyring } = await sealedStore(store, keysPool, await loadMasterKeys(layout.root));

    const app = await createHttpApp(rootModule(apiKeys, staffStore, services, keyring, databaseUrl, logger), {
      logger,
      docs: { title: 'Rapport', version: '1', description: 'Every Rapport API, served by the embedded platform.' },
    });
    cleanups.push(() => app.close());
    const consoleBuilt = await serveConsole(app, logger, options.consoleDir);
    const url = await listen(app, host, port);

    await writeRuntime(layout, { pid: process.pid, url, databaseUrl });
    cleanups.push(() => removeRuntime(layout));
    logger.info({ url, dataDir: layout.root }, 'rapport embedded platform started');

    let stopped: Promise<void> | undefined;
    return {
      url,
      databaseUrl,
      keys,
      createdKeys: created,
      staff: devStaff.accounts,
      createdStaff: devStaff.created,
      consoleUrl: consoleBuilt ? `${url}/console/` : null,
      layout,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function rootModule(apiKeys: ApiKeyStore, staff: StaffStore, store: EventStore, keyring: Keyring, databaseUrl: string, logger: Logger): DynamicModule {
  const readiness = [{ name: 'event-store', check: async () => void (await store.headPosition()) }];
  return {
    module: EmbeddedAppModule,
    imports: [PlatformModule.forRoot({ apiKeys, staff, readiness, serviceName: 'rapport' }), ...serviceModules({ store, keyring, databaseUrl, logger })],
  };
}

async function listen(app: NestFastifyApplication, host: string, port: number): Promise<string> {
  try {
    await app.listen(port, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, port);
    throw error;
  }
  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  // A wildcard address is not somewhere to send requests; loopback reaches it.
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${actualPort}`;
}
