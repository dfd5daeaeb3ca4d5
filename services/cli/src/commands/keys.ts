import type { Command } from 'commander';
import type { ApiKeyInfo, ApiKeyStore } from '@rapport/platform';
import { PartialFailureError, UsageError } from '../errors';
import { runningPlatform } from '../local-platform';

const ROLE_NAMES = ['emitter', 'analyst', 'support', 'admin'] as const;
type RoleName = (typeof ROLE_NAMES)[number];

export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage API keys (DATABASE_URL if set, else the running `rapport up`, else the embedded PostgreSQL in ./.rapport)');

  keys
    .command('create')
    .description('create an API key; it is printed once')
    .requiredOption('--role <role>', `one of ${ROLE_NAMES.join(', ')}`)
    .requiredOption('--name <name>', 'a unique name, e.g. the emitting system')
    .action(async (options: { role: string; name: string }) => {
      const role = parseRole(options.role);
      const created = await withApiKeys((store) => store.create({ role, name: options.name }));
      console.log(`Created API key "${created.name}" (role ${created.role}, id ${created.id}):`);
      console.log('');
      console.log(`  ${created.key}`);
      console.log('');
      console.log('Store it now: it will not be shown again (only its hash is kept).');
    });

  keys
    .command('list')
    .description('list every key (never the keys themselves)')
    .action(async () => {
      const all = await withApiKeys((store) => store.list());
      console.log(all.length === 0 ? 'No API keys yet.' : keyTable(all));
    });

  keys
    .command('revoke')
    .description('revoke the active key with this id or name')
    .argument('<idOrName>', 'key id (uuid) or name')
    .action(async (idOrName: string) => {
      const revoked = await withApiKeys((store) => store.revoke(idOrName));
      if (!revoked) throw new PartialFailureError(`no active API key with id or name "${idOrName}"`);
      console.log(`Revoked "${idOrName}". A running server may accept it for a few more seconds (its key cache).`);
    });
}

function parseRole(role: string): RoleName {
  if ((ROLE_NAMES as readonly string[]).includes(role)) return role as RoleName;
  throw new UsageError(`unknown role "${role}": expected one of ${ROLE_NAMES.join(', ')}`);
}

/**
 * Runs `work` against the key store of DATABASE_URL, else of the running platform, else
 * of the embedded PostgreSQL in the data directory, started just for this command.
 */
async function withApiKeys<T>(work: (store: ApiKeyStore) => Promise<T>): Promise<T> {
  const { ApiKeyStore } = await import('@rapport/platform');
  const { Pool } = await import('pg');
  let databaseUrl = process.env.DATABASE_URL || (await runningPlatform())?.databaseUrl;
  let stopDatabase: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const { loadEmbeddedConfig, startEmbeddedDatabase } = await import('@rapport/embedded');
    const { dataDir, pgPort } = loadEmbeddedConfig();
    const database = await startEmbeddedDatabase({ dataDir, pgPort, command: 'rapport keys', onNotice: (message) => console.error(`rapport: ${message}`) });
    databaseUrl = database.databaseUrl;
    stopDatabase = () => database.stop();
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const store = new ApiKeyStore(pool);
    await store.migrate();
    return await work(store);
  } finally {
    await pool.end();
    await stopDatabase?.();
  }
}

const shortTime = (iso: string) => iso.replace('T', ' ').replace(/:\d\d\.\d+Z$/, 'Z');

function keyTable(keys: readonly ApiKeyInfo[]): string {
  const rows = [
    ['ID', 'NAME', 'ROLE', 'CREATED', 'REVOKED'],
    ...keys.map((key) => [key.id, key.name, key.role, shortTime(key.createdAt), key.revokedAt ? shortTime(key.revokedAt) : '-']),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}
