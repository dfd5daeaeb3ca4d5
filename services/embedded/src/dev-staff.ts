import { readFile } from 'node:fs/promises';
import { generatePassword, STAFF_ROLES, type StaffRole, type StaffStore } from '@rapport/platform';
import { replaceWhole } from './data-dir';

export interface DevStaffAccount {
  readonly email: string;
  readonly password: string;
}

/** One console account per staff role, for local development; kept in `<dataDir>/dev-staff.json`. */
export type DevStaff = Readonly<Record<StaffRole, DevStaffAccount>>;

export const devStaffEmail = (role: StaffRole) => `${role}@rapport.local`;
const DEV_NAMES: Readonly<Record<StaffRole, string>> = { support: 'Dev Support', analyst: 'Dev Analyst', admin: 'Dev Admin' };

/**
 * Keeps the accounts in `file` whose password still signs in; creates the missing ones and
 * gives a new password to any other (a disabled dev account is enabled again). Writes the
 * file back (mode 0600) only when something changed.
 */
export async function ensureDevStaff(staff: StaffStore, file: string): Promise<{ accounts: DevStaff; created: StaffRole[] }> {
  const saved = await readDevStaff(file);
  const accounts: Partial<Record<StaffRole, DevStaffAccount>> = {};
  const created: StaffRole[] = [];
  for (const role of STAFF_ROLES) {
    const email = devStaffEmail(role);
    const kept = saved[role];
    const existing = await staff.find(email);
    if (existing && existing.role === role && kept?.email === email && typeof kept.password === 'string' && (await staff.checkPassword(email, kept.password))) {
      accounts[role] = { email, password: kept.password };
      continue;
    }
    const password = generatePassword();
    if (existing) await staff.resetPassword(email, password);
    else await staff.create({ email, name: DEV_NAMES[role], role, password });
    accounts[role] = { email, password };
    created.push(role);
  }
  const complete = accounts as DevStaff;
  if (created.length > 0) await replaceWhole(file, `${JSON.stringify(complete, null, 2)}\n`);
  return { accounts: complete, created };
}

async function readDevStaff(file: string): Promise<Partial<Record<StaffRole, Partial<DevStaffAccount>>>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<Record<StaffRole, Partial<DevStaffAccount>>>) : {};
  } catch {
    return {};
  }
}
