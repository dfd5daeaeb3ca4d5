import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { unwrapKey, wrapKey } from './cipher';
import { MasterKeyError, type MasterKeys } from './master-keys';

export const KEYS_SCHEMA = 'rapport_keys';

export interface KeyringStatus {
  readonly currentMasterKeyId: string;
  readonly configuredMasterKeyIds: readonly string[];
  /** Data keys per id of the master key wrapping them. */
  readonly wrappedBy: Readonly<Record<string, number>>;
  /** Data keys wrapped by a master key other than the current one. */
  readonly awaitingRewrap: number;
  readonly destroyed: number;
}

/** A customer's data key, or that it was destroyed (the customer is erased). */
export type DataKey = { readonly state: 'active'; readonly key: Buffer } | { readonly state: 'destroyed'; readonly destroyedAt: string };

/**
 * Per-customer AES-256 data keys in their own schema, each stored only wrapped by a master
 * key. Destroying a key is erasure: every field sealed with it is unreadable from then on.
 * Unwrapped keys are cached in this process; a destroy here clears its entry.
 */
export class Keyring {
  private readonly cache = new Map<string, DataKey>();

  constructor(
    private readonly pool: Pool,
    private master: MasterKeys,
  ) {}

  async migrate(): Promise<void> {
    await this.pool.query(`
      CREATE SCHEMA IF NOT EXISTS ${KEYS_SCHEMA};
      CREATE TABLE IF NOT EXISTS ${KEYS_SCHEMA}.data_keys (
        customer_id   text PRIMARY KEY,
        master_key_id text,
        wrapped       text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        destroyed_at  timestamptz,
        CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL))
      )`);
  }

  /** The keys of these customers; `create` makes the missing ones (for writing). */
  async keysFor(customerIds: readonly string[], create: boolean): Promise<Map<string, DataKey>> {
    const found = new Map<string, DataKey>();
    let missing = [...new Set(customerIds)].filter((id) => {
      const cached = this.cache.get(id);
      if (cached) found.set(id, cached);
      return !cached;
    });
    if (missing.length === 0) return found;
    if (create) {
      const made = new Map(missing.map((id) => [id, randomBytes(32)]));
      const fresh = missing.map((id) => ({ customer_id: id, master_key_id: this.master.currentId, wrapped: wrapKey(this.currentMaster(), made.get(id)!, id) }));
      const inserted = await this.pool.query<{ customer_id: string }>(
        `INSERT INTO ${KEYS_SCHEMA}.data_keys (customer_id, master_key_id, wrapped)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, master_key_id text, wrapped text) ORDER BY customer_id
         ON CONFLICT (customer_id) DO NOTHING RETURNING customer_id`,
        [JSON.stringify(fresh)],
      );
      // The keys this call made are known already; only those another writer made first are read back.
      for (const { customer_id: id } of inserted.rows) {
        const key: DataKey = { state: 'active', key: made.get(id)! };
        this.cache.set(id, key);
        found.set(id, key);
      }
      missing = missing.filter((id) => !found.has(id));
      if (missing.length === 0) return found;
    }
    const { rows } = await this.pool.query<{ customer_id: string; master_key_id: string | null; wrapped: string | null; destroyed_at: Date | null }>(
      `SELECT customer_id, master_key_id, wrapped, destroyed_at FROM ${KEYS_SCHEMA}.data_keys WHERE customer_id = ANY($1::text[])`,
      [missing],
    );
    for (const row of rows) {
      const key: DataKey =
        row.wrapped === null || row.master_key_id === null
          ? { state: 'destroyed', destroyedAt: (row.destroyed_at as Date).toISOString() }
          : { state: 'active', key: unwrapKey(this.masterKey(row.master_key_id), row.wrapped, row.customer_id) };
      this.cache.set(row.customer_id, key);
      found.set(row.customer_id, key);
    }
    return found;
  }

  /** When the customer's key was destroyed, or null. */
  async destroyedAt(customerId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ destroyed_at: Date | null }>(`SELECT destroyed_at FROM ${KEYS_SCHEMA}.data_keys WHERE customer_id = $1`, [customerId]);
    return rows[0]?.destroyed_at ? rows[0].destroyed_at.toISOString() : null;
  }

  /** Destroys the key (creating a destroyed entry if the customer never had one). Returns the instant; a second call keeps the first. */
  async destroy(customerId: string): Promise<string> {
    const { rows } = await this.pool.query<{ destroyed_at: Date }>(
      `INSERT INTO ${KEYS_SCHEMA}.data_keys AS k (customer_id, master_key_id, wrapped, destroyed_at) VALUES ($1, NULL, NULL, now())
       ON CONFLICT (customer_id) DO UPDATE SET wrapped = NULL, master_key_id = NULL, destroyed_at = coalesce(k.destroyed_at, now())
       RETURNING destroyed_at`,
      [customerId],
    );
    this.cache.delete(customerId);
    return rows[0]!.destroyed_at.toISOString();
  }

  /** Which master key wraps how many data keys, and how many keys were destroyed: what a rotation has left to do. */
  async status(): Promise<KeyringStatus> {
    const { rows } = await this.pool.query<{ master_key_id: string | null; keys: string }>(
      `SELECT master_key_id, count(*) AS keys FROM ${KEYS_SCHEMA}.data_keys GROUP BY master_key_id ORDER BY master_key_id NULLS LAST`,
    );
    const wrappedBy: Record<string, number> = {};
    let destroyed = 0;
    for (const row of rows) {
      if (row.master_key_id === null) destroyed = Number(row.keys);
      else wrappedBy[row.master_key_id] = Number(row.keys);
    }
    const stale = Object.entries(wrappedBy).filter(([id]) => id !== this.master.currentId).reduce((sum, [, keys]) => sum + keys, 0);
    return { currentMasterKeyId: this.master.currentId, configuredMasterKeyIds: [...this.master.keys.keys()], wrappedBy, awaitingRewrap: stale, destroyed };
  }

  /**
   * Re-wraps every data key still under an older master key with the current one. History is
   * never re-encrypted: the data keys stay the same. Returns how many were re-wrapped.
   */
  async rotate(master: MasterKeys = this.master): Promise<number> {
    this.master = master;
    let rewrapped = 0;
    for (;;) {
      const { rows } = await this.pool.query<{ customer_id: string; master_key_id: string; wrapped: string }>(
        `SELECT customer_id, master_key_id, wrapped FROM ${KEYS_SCHEMA}.data_keys
          WHERE wrapped IS NOT NULL AND master_key_id <> $1 ORDER BY customer_id LIMIT 1000`,
        [master.currentId],
      );
      if (rows.length === 0) return rewrapped;
      const next = rows.map((row) => ({
        customer_id: row.customer_id,
        old: row.master_key_id,
        wrapped: wrapKey(this.currentMaster(), unwrapKey(this.masterKey(row.master_key_id), row.wrapped, row.customer_id), row.customer_id),
      }));
      const result = await this.pool.query(
        `UPDATE ${KEYS_SCHEMA}.data_keys k SET wrapped = r.wrapped, master_key_id = $2
           FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, old text, wrapped text)
          WHERE k.customer_id = r.customer_id AND k.master_key_id = r.old AND k.wrapped IS NOT NULL`,
        [JSON.stringify(next), master.currentId],
      );
      rewrapped += result.rowCount ?? 0;
    }
  }

  private currentMaster(): Buffer {
    return this.masterKey(this.master.currentId);
  }

  private masterKey(id: string): Buffer {
    const key = this.master.keys.get(id);
    if (!key) throw new MasterKeyError(`data keys are wrapped with master key '${id}', which is not configured (RAPPORT_MASTER_KEYS)`);
    return key;
  }
}
