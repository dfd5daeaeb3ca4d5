import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from './errors';

// The CLI reads these files directly rather than importing @rapport/embedded, which would
// load Nest for commands that only talk HTTP.

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export function dataDirFromEnv(): string {
  return resolve(process.env.RAPPORT_DATA_DIR || './.rapport');
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** URL and database of the `rapport up` running on this data directory, if any. */
export async function runningPlatform(dataDir = dataDirFromEnv()): Promise<{ url: string; databaseUrl: string } | undefined> {
  const runtime = await readJson(join(dataDir, 'runtime.json'));
  if (!runtime || !isAlive(runtime.pid) || typeof runtime.url !== 'string' || typeof runtime.databaseUrl !== 'string') return undefined;
  return { url: runtime.url, databaseUrl: runtime.databaseUrl };
}

export interface Target {
  readonly url: string;
  readonly key: string;
}

/** --url, else the running platform's URL, else localhost:3000; --key, else the dev key of `role`. */
export async function resolveTarget(options: { url?: string; key?: string }, role: 'emitter' | 'admin' = 'emitter'): Promise<Target> {
  const dataDir = dataDirFromEnv();
  const url = options.url ?? (await runningPlatform(dataDir))?.url ?? DEFAULT_URL;
  const key = options.key ?? process.env.RAPPORT_API_KEY ?? (await readJson(join(dataDir, 'dev-keys.json')))?.[role];
  if (typeof key !== 'string' || key === '') {
    throw new UsageError(`no API key: pass --key, set RAPPORT_API_KEY, or run \`rapport up\` once to create ${join(dataDir, 'dev-keys.json')}`);
  }
  return { url, key };
}
