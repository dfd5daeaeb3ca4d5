import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import { TooManyAttemptsError, UnauthorizedError, ValidationError } from '../errors';
import type { Principal } from './api-keys';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword, type ScryptParameters } from './passwords';

export const STAFF_ROLES = ['support', 'analyst', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const isStaffRole = (value: unknown): value is StaffRole => (STAFF_ROLES as readonly unknown[]).includes(value);

export interface StaffAccount {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly disabled: boolean;
  readonly createdAt: string;
}

/** A signed-in staff member, as the auth guard sees them. */
export interface StaffSession {
  readonly staff: StaffAccount;
  /** The staff id is the principal's id, so commands record it as the event `actor`. */
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly lastSeenAt: string;
}

export interface SignedIn {
  /** The cookie value: shown once, only its hash is stored. */
  readonly token: string;
  readonly session: StaffSession;
}

export interface StaffStoreOptions {
  readonly clock?: () => Date;
  /** A session unused for this long is gone (default 30 minutes). */
  readonly idleTimeoutMs?: number;
  /** Failed sign-ins per email within `lockoutWindowMs` that lock it (default 5 in 15 minutes). */
  readonly lockoutAttempts?: number;
  readonly lockoutWindowMs?: number;
  readonly scrypt?: ScryptParameters;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
export const MIN_PASSWORD_LENGTH = 12;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** How stale last_seen_at may get before a request writes it again: keeps reads from writing on every call. */
const TOUCH_EVERY_MS = 15_000;

interface StaffRow {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  disabled: boolean;
  created_at: Date;
}

const accountOf = (row: StaffRow): StaffAccount => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  disabled: row.disabled,
  createdAt: row.created_at.toISOString(),
});

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Staff accounts and their sessions in PostgreSQL (schema `rapport_auth`, beside the API keys).
 * Passwords are scrypt hashes with a salt each; session tokens and CSRF tokens are random,
 * and only a SHA-256 of the session token is stored.
 */
export class StaffStore {
  private readonly clock: () => Date;
  readonly idleTimeoutMs: number;
  private readonly lockoutAttempts: number;
  private readonly lockoutWindowMs: number;
  private readonly scrypt: ScryptParameters;
  private dummyHash?: Promise<string>;

  constructor(
    private readonly pool: Pool,
    private readonly schema = 'rapport_auth',
    options: StaffStoreOptions = {},
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    this.clock = options.clock ?? (() => new Date());
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.lockoutAttempts = options.lockoutAttempts ?? 5;
    this.lockoutWindowMs = options.lockoutWindowMs ?? 15 * 60_000;
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    const s = this.schema;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${s}.migrate`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${s}.staff (
          id uuid PRIMARY KEY,
          email text NOT NULL,
          name text NOT NULL,
          role text NOT NULL CHECK (role IN (${STAFF_ROLES.map((role) => `'${role}'`).join(', ')})),
          password_hash text NOT NULL,
          disabled boolean NOT NULL DEFAULT false,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
      await client.query(`CREATE UNIQUE INDEX IF NOT EXISTS staff_email ON ${s}.staff (lower(email))`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${s}.staff_sessions (
          token_hash bytea PRIMARY KEY,
          staff_id uuid NOT NULL REFERENCES ${s}.staff (id) ON DELETE CASCADE,
          csrf_token text NOT NULL,
          created_at timestamptz NOT NULL,
          last_seen_at timestamptz NOT NULL
        )`);
      await client.query(`CREATE INDEX IF NOT EXISTS staff_sessions_staff ON ${s}.staff_sessions (staff_id)`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${s}.staff_sign_in_failures (
          email text NOT NULL,
          failed_at timestamptz NOT NULL
        )`);
      await client.query(`CREATE INDEX IF NOT EXISTS staff_sign_in_failures_email ON ${s}.staff_sign_in_failures (email, failed_at)`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async create(input: { email: string; name: string; role: StaffRole; password: string }): Promise<StaffAccount> {
    const email = input.email.trim();
    const name = input.name.trim();
    const errors = [
      ...(EMAIL.test(email) && email.length <= 254 ? [] : [{ path: 'email', message: 'must be an email address' }]),
      ...(name && name.length <= 200 ? [] : [{ path: 'name', message: 'must be 1–200 characters' }]),
      ...(isStaffRole(input.role) ? [] : [{ path: 'role', message: `must be one of ${STAFF_ROLES.join(', ')}` }]),
      ...passwordErrors(input.password),
    ];
    if (errors.length > 0) throw new ValidationError(errors);
    try {
      const { rows } = await this.pool.query<StaffRow>(
        `INSERT INTO ${this.schema}.staff (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, email, name, role, disabled, created_at`,
        [randomUUID(), email, name, input.role, await hashPassword(input.password, this.scrypt)],
      );
      return accountOf(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new ValidationError([{ path: 'email', message: `a staff account for ${email} already exists` }]);
      throw error;
    }
  }

  async list(): Promise<StaffAccount[]> {
    const { rows } = await this.pool.query<StaffRow>(`SELECT id, email, name, role, disabled, created_at FROM ${this.schema}.staff ORDER BY lower(email)`);
    return rows.map(accountOf);
  }

  async find(idOrEmail: string): Promise<StaffAccount | undefined> {
    const { rows } = await this.pool.query<StaffRow>(
      `SELECT id, email, name, role, disabled, created_at FROM ${this.schema}.staff WHERE id::text = $1 OR lower(email) = lower($1)`,
      [idOrEmail],
    );
    return rows[0] ? accountOf(rows[0]) : undefined;
  }

  /** Disables the account and ends its sessions; undefined when there is no such account. */
  async disable(idOrEmail: string): Promise<StaffAccount | undefined> {
    const { rows } = await this.pool.query<StaffRow>(
      `UPDATE ${this.schema}.staff SET disabled = true WHERE id::text = $1 OR lower(email) = lower($1)
       RETURNING id, email, name, role, disabled, created_at`,
      [idOrEmail],
    );
    if (!rows[0]) return undefined;
    await this.pool.query(`DELETE FROM ${this.schema}.staff_sessions WHERE staff_id = $1`, [rows[0].id]);
    return accountOf(rows[0]);
  }

  /** Sets a new password, enables the account, ends its sessions and lifts a lockout. */
  async resetPassword(idOrEmail: string, password: string): Promise<StaffAccount | undefined> {
    const errors = passwordErrors(password);
    if (errors.length > 0) throw new ValidationError(errors);
    const { rows } = await this.pool.query<StaffRow>(
      `UPDATE ${this.schema}.staff SET password_hash = $2, disabled = false WHERE id::text = $1 OR lower(email) = lower($1)
       RETURNING id, email, name, role, disabled, created_at`,
      [idOrEmail, await hashPassword(password, this.scrypt)],
    );
    if (!rows[0]) return undefined;
    await this.pool.query(`DELETE FROM ${this.schema}.staff_sessions WHERE staff_id = $1`, [rows[0].id]);
    await this.pool.query(`DELETE FROM ${this.schema}.staff_sign_in_failures WHERE email = lower($1)`, [rows[0].email]);
    return accountOf(rows[0]);
  }

  /** Whether the password is the account's, without starting a session or counting a failure. */
  async checkPassword(email: string, password: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ password_hash: string; disabled: boolean }>(
      `SELECT password_hash, disabled FROM ${this.schema}.staff WHERE lower(email) = lower($1)`,
      [email],
    );
    return rows[0] !== undefined && !rows[0].disabled && (await verifyPassword(password, rows[0].password_hash));
  }

  /**
   * Starts a session. Unknown email, wrong password and a disabled account all get the same
   * 401 after the same scrypt work; the lockout counts failures per email in a sliding window.
   */
  async signIn(email: string, password: string): Promise<SignedIn> {
    const now = this.clock();
    const key = email.trim().toLowerCase();
    const since = new Date(now.getTime() - this.lockoutWindowMs);
    const { rows: failures } = await this.pool.query<{ n: number; oldest: Date | null }>(
      `SELECT count(*)::int AS n, min(failed_at) AS oldest FROM ${this.schema}.staff_sign_in_failures WHERE email = $1 AND failed_at > $2`,
      [key, since],
    );
    const { n, oldest } = failures[0]!;
    if (n >= this.lockoutAttempts) {
      const retryAfterSeconds = Math.max(1, Math.ceil((oldest!.getTime() + this.lockoutWindowMs - now.getTime()) / 1000));
      throw new TooManyAttemptsError(`Too many failed sign-ins for this account; try again in ${Math.ceil(retryAfterSeconds / 60)} min.`, retryAfterSeconds);
    }
    const { rows } = await this.pool.query<StaffRow & { password_hash: string }>(
      `SELECT id, email, name, role, disabled, created_at, password_hash FROM ${this.schema}.staff WHERE lower(email) = $1`,
      [key],
    );
    const row = rows[0];
    const matches = await verifyPassword(password, row?.password_hash ?? (await this.hashForUnknownEmail()));
    if (!row || !matches || row.disabled) {
      await this.pool.query(`INSERT INTO ${this.schema}.staff_sign_in_failures (email, failed_at) VALUES ($1, $2)`, [key, now]);
      throw new UnauthorizedError('The email or password is wrong, or the account is disabled.');
    }
    await this.pool.query(`DELETE FROM ${this.schema}.staff_sign_in_failures WHERE email = $1 OR failed_at < $2`, [key, since]);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await this.pool.query(
      `INSERT INTO ${this.schema}.staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`,
      [sha256(token), row.id, csrfToken, now],
    );
    const staff = accountOf(row);
    return { token, session: sessionOf(staff, csrfToken, now) };
  }

  /** The session behind a cookie value, or null when unknown, idle too long, or its account is disabled. */
  async authenticate(token: string): Promise<StaffSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const now = this.clock();
    const tokenHash = sha256(token);
    const { rows } = await this.pool.query<StaffRow & { csrf_token: string; last_seen_at: Date }>(
      `SELECT s.id, s.email, s.name, s.role, s.disabled, s.created_at, x.csrf_token, x.last_seen_at
         FROM ${this.schema}.staff_sessions x JOIN ${this.schema}.staff s ON s.id = x.staff_id
        WHERE x.token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    const idleMs = now.getTime() - row.last_seen_at.getTime();
    if (row.disabled || idleMs > this.idleTimeoutMs) {
      await this.pool.query(`DELETE FROM ${this.schema}.staff_sessions WHERE token_hash = $1`, [tokenHash]);
      return null;
    }
    if (idleMs > TOUCH_EVERY_MS) {
      await this.pool.query(`UPDATE ${this.schema}.staff_sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2`, [tokenHash, now]);
    }
    return sessionOf(accountOf(row), row.csrf_token, idleMs > TOUCH_EVERY_MS ? now : row.last_seen_at);
  }

  async signOut(token: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.schema}.staff_sessions WHERE token_hash = $1`, [sha256(token)]);
  }

  /** Unknown emails cost the same scrypt work as known ones, so timing does not tell which exist. */
  private hashForUnknownEmail(): Promise<string> {
    return (this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'), this.scrypt));
  }
}

/** Timing-safe comparison of a CSRF header against the session's token. */
export function csrfTokenMatches(session: StaffSession, header: unknown): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sessionOf(staff: StaffAccount, csrfToken: string, lastSeen: Date): StaffSession {
  return { staff, principal: { keyId: staff.id, name: staff.name, role: staff.role }, csrfToken, lastSeenAt: lastSeen.toISOString() };
}

function passwordErrors(password: unknown): { path: string; message: string }[] {
  if (typeof password !== 'string') return [{ path: 'password', message: 'must be a string' }];
  if (password.length < MIN_PASSWORD_LENGTH) return [{ path: 'password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` }];
  if (password.length > 256) return [{ path: 'password', message: 'must be at most 256 characters' }];
  return [];
}
