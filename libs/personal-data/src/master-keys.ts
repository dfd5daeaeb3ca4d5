import { randomBytes } from 'node:crypto';
import { ConfigError } from '@rapport/platform';

/** The master keys data keys are wrapped with: the current one wraps new keys; older ones still unwrap until a rotation re-wraps. */
export interface MasterKeys {
  readonly currentId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/**
 * Reads `id:base64,id:base64` (each key 32 bytes) and the id of the current one, as
 * RAPPORT_MASTER_KEYS and RAPPORT_MASTER_KEY_ID give them; names the variable that is wrong.
 */
export function parseMasterKeys(list: string, currentId: string): MasterKeys {
  const keys = new Map<string, Buffer>();
  for (const entry of list.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [id, encoded, ...rest] = entry.split(':');
    if (!id || !encoded || rest.length > 0 || !/^[A-Za-z0-9_.-]{1,64}$/.test(id)) throw new MasterKeyError('RAPPORT_MASTER_KEYS: each entry must be <id>:<base64 key>');
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new MasterKeyError(`RAPPORT_MASTER_KEYS: key '${id}' must be 32 bytes (base64 of 32 random bytes)`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new MasterKeyError('RAPPORT_MASTER_KEYS: at least one key is required');
  if (!keys.has(currentId)) throw new MasterKeyError(`RAPPORT_MASTER_KEY_ID: '${currentId}' is not one of RAPPORT_MASTER_KEYS`);
  return { currentId, keys };
}

/** A fresh master key, for development data directories and tests. */
export function generateMasterKeys(id = 'dev-1'): MasterKeys {
  return { currentId: id, keys: new Map([[id, randomBytes(32)]]) };
}

export const formatMasterKeys = (master: MasterKeys) => [...master.keys].map(([id, key]) => `${id}:${key.toString('base64')}`).join(',');

/**
 * The master keys a scaled-mode process is given, RAPPORT_MASTER_KEYS and RAPPORT_MASTER_KEY_ID,
 * both required: a deployment that takes personal data does not silently store it in plain text.
 * Problems are a ConfigError naming the variable, so they join the process's other config errors.
 */
export function loadMasterKeysFromEnv(environment: Readonly<Record<string, string | undefined>>): MasterKeys {
  const keys = environment.RAPPORT_MASTER_KEYS;
  const currentId = environment.RAPPORT_MASTER_KEY_ID;
  const missing = [
    ...(keys ? [] : [{ variable: 'RAPPORT_MASTER_KEYS', message: 'required: <id>:<base64 of 32 random bytes>, comma-separated (see services/privacy)' }]),
    ...(currentId ? [] : [{ variable: 'RAPPORT_MASTER_KEY_ID', message: 'required: the id of the RAPPORT_MASTER_KEYS entry new data keys are wrapped with' }]),
  ];
  if (missing.length > 0) throw new ConfigError(missing);
  try {
    return parseMasterKeys(keys!, currentId!);
  } catch (error) {
    if (!(error instanceof MasterKeyError)) throw error;
    const [variable, ...message] = error.message.split(': ');
    throw new ConfigError([{ variable: variable!, message: message.join(': ') }]);
  }
}
