import { readFile } from 'node:fs/promises';
import { ROLES, type ApiKeyStore, type Role } from '@rapport/platform';
import { replaceWhole } from './data-dir';

/** One working key per role, for local development; kept in `<dataDir>/dev-keys.json`. */
export type DevKeys = Readonly<Record<Role, string>>;

export const devKeyName = (role: Role) => `dev-${role}`;

/**
 * Reuses the keys in `file` that still authenticate with their role; replaces the others
 * with new keys named dev-<role> (revoking an older dev-<role> first, since active names
 * are unique). Writes the file back only when something changed.
 */
export async function ensureDevKeys(apiKeys: ApiKeyStore, file: string): Promise<{ keys: DevKeys; created: Role[] }> {
  const saved = await readDevKeys(file);
  const keys: Partial<Record<Role, string>> = {};
  const created: Role[] = [];
  for (const role of ROLES) {
    const existing = saved[role];
    if (typeof existing === 'string' && (await apiKeys.authenticate(existing))?.role === role) {
      keys[role] = existing;
      continue;
    }
    await apiKeys.revoke(devKeyName(role));
    keys[role] = (await apiKeys.create({ role, name: devKeyName(role) })).key;
    created.push(role);
  }
  const complete = keys as DevKeys;
  if (created.length > 0) await replaceWhole(file, `${JSON.stringify(orderedByRole(complete), null, 2)}\n`);
  return { keys: complete, created };
}

export async function readDevKeys(file: string): Promise<Partial<Record<Role, unknown>>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<Record<Role, unknown>>) : {};
  } catch {
    return {};
  }
}

const FILE_ORDER: readonly Role[] = ['admin', 'emitter', 'analyst', 'support'];

function orderedByRole(keys: DevKeys): DevKeys {
  return Object.fromEntries(FILE_ORDER.map((role) => [role, keys[role]])) as DevKeys;
}
