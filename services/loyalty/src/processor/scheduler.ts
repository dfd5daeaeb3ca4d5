import type { EventStore } from '@rapport/event-store';
import type { Database } from '@rapport/projections';
import { appendDecisions } from '../account/append-decisions';
import type { Clock } from '../account/account-store';
import { advanceInPlace, nextDueAt } from '../account/decide';
import { decodeState, encodeState } from '../account/cached-state';
import { initialState } from '../account/state';
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
    const rows = await tx.query<{ customer_id: string; revision: string; state: unknown }>(
      `SELECT customer_id, revision, state FROM loyalty_processor.accounts
        WHERE next_due_at <= $1 ORDER BY next_due_at, customer_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [until, limit],
    );
    if (rows.length === 0) return { count: 0, more: false };
    const { rules } = this.options;
    const decided = await appendDecisions(
      this.options.store,
      // A row in a shape this code does not read counts as no fold: the append then conflicts and the stream is read.
      rows.map((row) => {
        const state = decodeState(row.state);
        return state ? { customerId: row.customer_id, state, revision: Number(row.revision) } : { customerId: row.customer_id, state: initialState(), revision: -1 };
      }),
      (account) => ({ ...account, drafts: advanceInPlace(account.state, until, rules, account.customerId), outcome: null }),
      () => this.options.clock.now().toISOString(),
    );
    await tx.query(
      `UPDATE loyalty_processor.accounts a SET revision = r.revision, state = r.state, next_due_at = r.next_due_at
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::timestamptz[]) AS r(customer_id, revision, state, next_due_at)
        WHERE a.customer_id = r.customer_id`,
      [
        decided.map((entry) => entry.customerId),
        decided.map((entry) => entry.revision),
        decided.map((entry) => encodeState(entry.state)),
        decided.map((entry) => nextDueAt(entry.state, rules, until) ?? null),
      ],
    );
    return { count: decided.reduce((sum, entry) => sum + entry.drafts.length, 0), more: rows.length === limit };
  }
}
