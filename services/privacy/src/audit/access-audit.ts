import type { Sql } from '@rapport/projections';

export const AUDIT_SCHEMA = 'privacy_audit';

/** One read of a customer's data. */
export interface AccessRecord {
  readonly customerId: string;
  /** The route as declared, e.g. `/v1/customers/:customerId/timeline`. */
  readonly route: string;
  readonly method: string;
  /** The path as called, query string left out. */
  readonly path: string;
  readonly actorId: string;
  readonly actorName: string;
  readonly role: string;
  /** `key` for an API key, `session` for a staff member signed in to the console. */
  readonly via: 'key' | 'session';
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export interface AuditEntry extends AccessRecord {
  readonly id: string;
  readonly at: string;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly nextCursor: string | null;
}

/**
 * The access audit log: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE), not
 * derived from events, so it is never rebuilt. It names customers by id only, never their data.
 */
export class AccessAudit {
  constructor(private readonly db: Sql) {}

  async migrate(): Promise<void> {
    await this.db.query(`
      CREATE SCHEMA IF NOT EXISTS ${AUDIT_SCHEMA};
      CREATE TABLE IF NOT EXISTS ${AUDIT_SCHEMA}.access_log (
        id          bigserial PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT clock_timestamp(),
        customer_id text NOT NULL,
        route       text NOT NULL,
        method      text NOT NULL,
        path        text NOT NULL,
        actor_id    text NOT NULL,
        actor_name  text NOT NULL,
        role        text NOT NULL,
        via         text NOT NULL,
        ip          text,
        user_agent  text
      );
      CREATE INDEX IF NOT EXISTS access_log_customer ON ${AUDIT_SCHEMA}.access_log (customer_id, id);
      CREATE OR REPLACE FUNCTION ${AUDIT_SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the access audit log is append-only'; END $$;
      DROP TRIGGER IF EXISTS access_log_append_only ON ${AUDIT_SCHEMA}.access_log;
      CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON ${AUDIT_SCHEMA}.access_log
        FOR EACH ROW EXECUTE FUNCTION ${AUDIT_SCHEMA}.refuse_change();
      DROP TRIGGER IF EXISTS access_log_no_truncate ON ${AUDIT_SCHEMA}.access_log;
      CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON ${AUDIT_SCHEMA}.access_log
        FOR EACH STATEMENT EXECUTE FUNCTION ${AUDIT_SCHEMA}.refuse_change();`);
  }

  async record(access: AccessRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO ${AUDIT_SCHEMA}.access_log (customer_id, route, method, path, actor_id, actor_name, role, via, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [access.customerId, access.route, access.method, access.path, access.actorId, access.actorName, access.role, access.via, access.ip, access.userAgent],
    );
  }

  /** Newest first, keyset-paged by id. */
  async read(options: { customerId?: string; actorId?: string; from?: string; to?: string; beforeId?: string; limit: number }): Promise<AuditPage> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM ${AUDIT_SCHEMA}.access_log
        WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR actor_id = $2)
          AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
          AND ($5::bigint IS NULL OR id < $5)
        ORDER BY id DESC LIMIT $6`,
      [options.customerId ?? null, options.actorId ?? null, options.from ?? null, options.to ?? null, options.beforeId ?? null, options.limit + 1],
    );
    const page = rows.slice(0, options.limit);
    return {
      entries: page.map((row) => ({
        id: String(row.id),
        at: (row.at as Date).toISOString(),
        customerId: row.customer_id as string,
        route: row.route as string,
        method: row.method as string,
        path: row.path as string,
        actorId: row.actor_id as string,
        actorName: row.actor_name as string,
        role: row.role as string,
        via: row.via as 'key' | 'session',
        ip: (row.ip as string | null) ?? null,
        userAgent: (row.user_agent as string | null) ?? null,
      })),
      nextCursor: rows.length > options.limit ? String(page[page.length - 1].id) : null,
    };
  }
}
