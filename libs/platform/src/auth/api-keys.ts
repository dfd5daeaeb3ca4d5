import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

export const ROLES = ['emitter', 'analyst', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

/** Who is calling, as far as authorisation cares. Never holds the key itself. */
export interface Principal {
  readonly keyId: string;
  readonly name: string;
  readonly role: Role;
}

/** The caller as the `actor` of the events its command decides: key or staff id, and name (clipped to what the envelope holds). */
export const actorOf = (principal: Principal): { id: string; name: string } => ({ id: principal.keyId, name: principal.name.slice(0, 200) });

export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface CreatedApiKey {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** The plaintext key: shown once, only its hash is stored. */
  readonly key: string;
  readonly createdAt: string;
}

export interface ApiKeyStoreOptions {
  /**
   * How long a successful lookup is served from memory. A key revoked by another
   * process keeps working here for at most this long; one revoked through this
   * instance stops at once.
   */
  readonly cacheTtlMs?: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 40;
const KEY_FORMAT = /^rpk_(emitter|analyst|support|admin)_[0-9A-Za-z]{32,64}$/;
const CACHE_LIMIT = 10_000;

/**
 * API keys in PostgreSQL. Keys hold ~238 random bits, so a plain SHA-256 is enough: a
 * slow KDF protects guessable passwords, and nobody can brute-force 2^238 candidates.
 * Lookups go by hash through a unique index, so no constant-time compare is needed.
 */
export class ApiKeyStore {
  private readonly cache = new Map<string, { principal: Principal; expiresAt: number }>();
  private readonly cacheTtlMs: number;
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    private readonly schema = 'rapport_auth',
    options: ApiKeyStoreOptions = {},
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.table = `${schema}.api_keys`;
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Two processes starting together must not race on CREATE SCHEMA.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schema}.migrate`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          id uuid PRIMARY KEY,
          name text NOT NULL,
          role text NOT NULL CHECK (role IN (${ROLES.map((role) => `'${role}'`).join(', ')})),
          key_hash bytea NOT NULL UNIQUE,
          created_at timestamptz NOT NULL DEFAULT now(),
          revoked_at timestamptz
        )`);
      await client.query(`CREATE UNIQUE INDEX IF NOT EXISTS api_keys_active_name ON ${this.table} (name) WHERE revoked_at IS NULL`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async create(input: { role: Role; name: string }): Promise<CreatedApiKey> {
    if (!isRole(input.role)) throw new Error(`unknown role "${String(input.role)}"; expected one of ${ROLES.join(', ')}`);
    const name = input.name.trim();
    if (!name) throw new Error('an API key needs a name');
    const key = `rpk_${input.role}_${randomBase62(SECRET_LENGTH)}`;
    const id = randomUUID();
    try {
      const { rows } = await this.pool.query<{ created_at: Date }>(
        `INSERT INTO ${this.table} (id, name, role, key_hash) VALUES ($1, $2, $3, $4) RETURNING created_at`,
        [id, name, input.role, hash(key)],
      );
      return { id, name, role: input.role, key, createdAt: rows[0]!.created_at.toISOString() };
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new Error(`an active API key named "${name}" already exists`);
      throw error;
    }
  }

  /** Every key ever created, newest first; never the keys or their hashes. */
  async list(): Promise<ApiKeyInfo[]> {
    const { rows } = await this.pool.query<{ id: string; name: string; role: Role; created_at: Date; revoked_at: Date | null }>(
      `SELECT id, name, role, created_at, revoked_at FROM ${this.table} ORDER BY created_at DESC, name`,
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      role: row.role,
      createdAt: row.created_at.toISOString(),
      revokedAt: row.revoked_at?.toISOString() ?? null,
    }));
  }

  /** Revokes the active key with this id or name; false when there is none. */
  async revoke(idOrName: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE ${this.table} SET revoked_at = now()
        WHERE revoked_at IS NULL AND (id::text = $1 OR name = $1)
        RETURNING id`,
      [idOrName],
    );
    const revoked = new Set(rows.map((row) => row.id));
    for (const [keyHash, entry] of this.cache) if (revoked.has(entry.principal.keyId)) this.cache.delete(keyHash);
    return rows.length > 0;
  }

  /** The principal behind a key, or null for a malformed, unknown or revoked one. */
  async authenticate(key: string): Promise<Principal | null> {
    if (!KEY_FORMAT.test(key)) return null;
    const keyHash = hash(key);
    const cacheKey = keyHash.toString('base64');
    const cached = this.cache.get(cacheKey);
    const now = Date.now();
    if (cached && cached.expiresAt > now) return cached.principal;

    const { rows } = await this.pool.query<{ id: string; name: string; role: Role }>(
      `SELECT id, name, role FROM ${this.table} WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
    const row = rows[0];
    if (!row) {
      this.cache.delete(cacheKey);
      return null;
    }
    const principal: Principal = { keyId: row.id, name: row.name, role: row.role };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(cacheKey, { principal, expiresAt: now + this.cacheTtlMs });
    return principal;
  }
}

function hash(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    // Rejection sampling keeps every character equally likely (248 = 4 × 62).
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}
