import { formatMasterKeys, generateMasterKeys, loadMasterKeysFromEnv, parseMasterKeys, type MasterKeys } from '@rapport/personal-data';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The master keys from RAPPORT_MASTER_KEYS / RAPPORT_MASTER_KEY_ID when set; otherwise a
 * development key kept in the data directory (readable by its owner only), made on first start.
 */
export async function loadMasterKeys(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<MasterKeys> {
  if (env.RAPPORT_MASTER_KEYS) return loadMasterKeysFromEnv(env);
  const file = join(dataDir, 'dev-master-keys.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { keys: string; currentId: string };
    return parseMasterKeys(saved.keys, saved.currentId);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const master = generateMasterKeys();
  await writeFile(file, JSON.stringify({ keys: formatMasterKeys(master), currentId: master.currentId }), { mode: 0o600 });
  await chmod(file, 0o600);
  return master;
}
