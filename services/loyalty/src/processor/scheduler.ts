import type { EventStore } from '@rapport/event-store';
import type { Database } from '@rapport/projections';
import { appendDecisions } from '../account/append-decisions';
import type { Clock } from '../account/account-store';
import { advanceInPlace, nextDueAt } from '../account/decide';
import type { LoyaltyState } from '../account/state';
import type { RuleBook } from '../rules/rules';

export interface SchedulerOptions {
  readonly db: Database;
  readonly store: EventStore;
  readonly rules: RuleBook;
  readonly clock: Clock;
  /** Customers per transaction. */
  readonly batchSize?: number;
}

/**
 * Decides the time-based changes (pending → available, expiry, tier review) that fell due
 * by the clock's now, each at its own due instant. It works through the processor's cache
 * (rows it locks, skipping those a batch holds), so it runs only once the processor has
 * caught up: a due instant is then decided after every fact that happened before it,
 * however late the facts were imported.
 */
export class LoyaltyScheduler {
  constructor(private readonly options: SchedulerOptions) {}

  /** Decides everything due by `now` (default: the clock); returns how many events were appended. */
  async runDue(now: Date = this.options.clock.now()): Promise<number> {
    const until = now.toISOString();
    let appended = 0;
    for (;;) {
      const { count, more } = await this.options.db.transaction((tx) => this.step(tx, until));
      appended += count;
      if (!more) return appended;
    }
  }

  private async step(tx: Parameters<Parameters<Database['transaction']>[0]>[0], until: string): Promise<{ count: number; more: boolean }> {
    const limit = this.options.batchSize ?? 500;
    const rows = await tx.query<{ customer_id: string; revision: string; state: LoyaltyState }>(
      `SELECT customer_id, revision, state FROM loyalty_processor.accounts
        WHERE next_due_at <= $1 ORDER BY next_due_at, customer_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [until, limit],
    );
    if (rows.length === 0) return { count: 0, more: false };
    const { rules } = this.options;
    const decided = await appendDecisions(
      this.options.store,
      rows.map((row) => ({ customerId: row.customer_id, state: row.state, revision: Number(row.revision) })),
      (account) => ({ ...account, drafts: advanceInPlace(account.state, until, rules, account.customerId), outcome: null }),
      () => this.options.clock.now().toISOString(),
    );
    await tx.query(
      `UPDATE loyalty_processor.accounts a SET revision = r.revision, state = r.state, next_due_at = r.next_due_at
         FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, revision bigint, state jsonb, next_due_at timestamptz)
        WHERE a.customer_id = r.customer_id`,
      [JSON.stringify(decided.map((entry) => ({ customer_id: entry.customerId, revision: entry.revision, state: entry.state, next_due_at: nextDueAt(entry.state, rules, until) ?? null })))],
    );
    return { count: decided.reduce((sum, entry) => sum + entry.drafts.length, 0), more: rows.length === limit };
  }
}
