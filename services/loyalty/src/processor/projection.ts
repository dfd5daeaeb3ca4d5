import { fromRecordedEvent, type StoredEvent } from '@rapport/contracts';
import type { EventStore } from '@rapport/event-store';
import type { Projection, Sql } from '@rapport/projections';
import { appendDecisions } from '../account/append-decisions';
import type { Account, Clock } from '../account/account-store';
import { decideFactInPlace, LOYALTY_FACT_TYPES, nextDueAt, type Fact } from '../account/decide';
import { decodeState, encodeState } from '../account/cached-state';
import { initialState } from '../account/state';
import { isoOf } from '../account/time';
import type { RuleBook } from '../rules/rules';

export interface ProcessorOptions {
  readonly store: EventStore;
  readonly rules: RuleBook;
  readonly clock: Clock;
}

interface Answer {
  readonly fact: StoredEvent;
  readonly decided: number;
  readonly earned: number;
  readonly skipped: string | null;
}

export const PROCESSOR_NAME = 'loyalty-processor';

/**
 * Turns customer facts into loyalty decisions, appended to `loyalty-<customerId>` from
 * inside the batch: its bookkeeping (a cache of each account's fold, and one row per fact
 * answered) commits with the checkpoint. A crash after the append and before the commit
 * replays the batch, and the derived event ids make the second append a duplicate.
 * Only events that carry a customerId earn: visitors have no account.
 */
export function loyaltyProcessorProjection(options: ProcessorOptions): Projection<StoredEvent> {
  const memo = new AccountMemo();
  return {
    name: PROCESSOR_NAME,
    // 2: the fold is cached as JSON text in the compact shape of cached-state.ts.
    version: 2,
    schema: 'loyalty_processor',
    eventTypes: LOYALTY_FACT_TYPES,
    tables: [
      {
        name: 'accounts',
        create: (schema) => `
          CREATE TABLE ${schema}.accounts (
            customer_id text PRIMARY KEY,
            revision    bigint NOT NULL,
            -- Stored as sent, not compressed: rewritten on every batch that touches the account.
            state       text STORAGE EXTERNAL NOT NULL,
            next_due_at timestamptz
          );
          CREATE INDEX ON ${schema}.accounts (next_due_at) WHERE next_due_at IS NOT NULL;`,
      },
      {
        name: 'answered',
        create: (schema) => `
          CREATE TABLE ${schema}.answered (
            source_event_id uuid PRIMARY KEY,
            customer_id     text NOT NULL,
            position        bigint NOT NULL,
            type            text NOT NULL,
            decided         int NOT NULL,
            earned          bigint NOT NULL,
            skipped         text
          )`,
      },
    ],
    decode: (event) => fromRecordedEvent(event),
    async apply({ tx, schema, live }, events) {
      // Decisions are made once, by the live generation; a rebuild or verify only gets an empty cache, filled on first use.
      if (!live) return;
      await answerFacts(tx, schema, options, memo, events);
    },
  };
}

/**
 * The folds this process decided on last, by customer, each with the revision it is a fold
 * up to: the stream is the truth, so an entry stays right whatever generation or process
 * wrote the cache row since; a stream that moved on makes the append fail its expectation.
 * An entry is taken out while it is decided on (in place) and put back only once its
 * events are stored, so a failed batch can never leave a half-decided fold behind.
 */
export class AccountMemo {
  /** Kept in the cache row's compact encoding: a tenth of the memory of the decoded folds. */
  private readonly entries = new Map<string, { readonly revision: number; readonly encoded: string }>();

  constructor(private readonly capacity = 20_000) {}

  take(customerId: string): Account | undefined {
    const entry = this.entries.get(customerId);
    if (!entry) return undefined;
    this.entries.delete(customerId);
    const state = decodeState(entry.encoded);
    return state && { state, revision: entry.revision };
  }

  put(customerId: string, revision: number, encoded: string): void {
    this.entries.delete(customerId);
    this.entries.set(customerId, { revision, encoded });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

async function answerFacts(tx: Sql, schema: string, options: ProcessorOptions, memo: AccountMemo, events: readonly StoredEvent[]): Promise<void> {
  const facts = new Map<string, StoredEvent[]>();
  for (const event of events) {
    if (event.customerId === undefined) continue;
    let list = facts.get(event.customerId);
    if (!list) facts.set(event.customerId, (list = []));
    list.push(event);
  }
  if (facts.size === 0) return;
  const customerIds = [...facts.keys()].sort();
  const remembered = customerIds.map((customerId) => memo.take(customerId));
  // Rows are locked in any case (the scheduler skips them); the fold is read only where the row is newer than what this process remembers.
  const cached = await tx.query<{ customer_id: string; revision: string; state: unknown }>(
    `SELECT a.customer_id, a.revision, CASE WHEN a.revision > k.known THEN a.state END AS state
       FROM ${schema}.accounts a JOIN unnest($1::text[], $2::bigint[]) AS k(customer_id, known) ON k.customer_id = a.customer_id
      ORDER BY a.customer_id FOR UPDATE OF a`,
    [customerIds, remembered.map((entry) => entry?.revision ?? -2)],
  );
  const byId = new Map(cached.map((row) => [row.customer_id, row]));
  const unreadable = new Set<string>();
  const accounts = customerIds.map((customerId, index) => {
    const row = byId.get(customerId);
    const state = row?.state ? decodeState(row.state) : undefined;
    if (state) return { customerId, state, revision: Number(row!.revision) };
    if (row?.state) unreadable.add(customerId);
    const entry = remembered[index];
    if (entry) return { customerId, ...entry };
    // No row yet: assume no stream; if there is one after all, the append conflicts and the account is read.
    return { customerId, state: initialState(), revision: -1 };
  });

  const decided = await appendDecisions(
    options.store,
    accounts,
    (account) => {
      const answers: Answer[] = [];
      const drafts = [];
      for (const fact of facts.get(account.customerId) ?? []) {
        const decision = decideFactInPlace(account.state, fact as unknown as Fact, options.rules, account.customerId);
        drafts.push(...decision.events);
        const earned = decision.events.reduce((sum, e) => (e.type === 'PointsEarned' ? sum + e.data.points : sum), 0);
        answers.push({ fact, decided: decision.events.length, earned, skipped: decision.skipped ?? null });
      }
      return { ...account, drafts, outcome: answers };
    },
    () => options.clock.now().toISOString(),
  );

  const encoded = new Map(decided.map((entry) => [entry.customerId, encodeState(entry.state)]));
  for (const entry of decided) memo.put(entry.customerId, entry.revision, encoded.get(entry.customerId) as string);

  // Only rows behind the stream are written: an account that decided nothing is as its row (or its absence) says.
  const accountRows = decided.filter((entry) => unreadable.has(entry.customerId) || entry.revision > Number(byId.get(entry.customerId)?.revision ?? -1));
  if (accountRows.length > 0) {
    await tx.query(
      `INSERT INTO ${schema}.accounts (customer_id, revision, state, next_due_at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::timestamptz[])
       ON CONFLICT (customer_id) DO UPDATE SET revision = excluded.revision, state = excluded.state, next_due_at = excluded.next_due_at`,
      [
        accountRows.map((entry) => entry.customerId),
        accountRows.map((entry) => entry.revision),
        accountRows.map((entry) => encoded.get(entry.customerId)),
        accountRows.map((entry) => nextDueAt(entry.state, options.rules, isoOf(entry.outcome[entry.outcome.length - 1].fact.occurredAt)) ?? null),
      ],
    );
  }
  const answerRows = decided.flatMap((entry) =>
    entry.outcome.map((answer) => ({
      source_event_id: answer.fact.id,
      customer_id: entry.customerId,
      position: answer.fact.position,
      type: answer.fact.type,
      decided: answer.decided,
      earned: answer.earned,
      skipped: answer.skipped,
    })),
  );
  await tx.query(
    `INSERT INTO ${schema}.answered (source_event_id, customer_id, position, type, decided, earned, skipped)
     SELECT * FROM jsonb_to_recordset($1::jsonb)
            AS r(source_event_id uuid, customer_id text, position bigint, type text, decided int, earned bigint, skipped text)
     ON CONFLICT (source_event_id) DO NOTHING`,
    [JSON.stringify(answerRows)],
  );
}
