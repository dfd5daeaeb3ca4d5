import { fromRecordedEvent, type StoredEvent } from '@rapport/contracts';
import type { EventStore } from '@rapport/event-store';
import type { Projection, Sql } from '@rapport/projections';
import { appendDecisions } from '../account/append-decisions';
import type { Clock } from '../account/account-store';
import { decideFactInPlace, LOYALTY_FACT_TYPES, nextDueAt, type Fact } from '../account/decide';
import { initialState, type LoyaltyState } from '../account/state';
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
  return {
    name: PROCESSOR_NAME,
    version: 1,
    schema: 'loyalty_processor',
    eventTypes: LOYALTY_FACT_TYPES,
    tables: [
      {
        name: 'accounts',
        create: (schema) => `
          CREATE TABLE ${schema}.accounts (
            customer_id text PRIMARY KEY,
            revision    bigint NOT NULL,
            state       jsonb NOT NULL,
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
      await answerFacts(tx, schema, options, events);
    },
  };
}

async function answerFacts(tx: Sql, schema: string, options: ProcessorOptions, events: readonly StoredEvent[]): Promise<void> {
  const facts = new Map<string, StoredEvent[]>();
  for (const event of events) {
    if (event.customerId === undefined) continue;
    let list = facts.get(event.customerId);
    if (!list) facts.set(event.customerId, (list = []));
    list.push(event);
  }
  if (facts.size === 0) return;
  const customerIds = [...facts.keys()].sort();
  const cached = await tx.query<{ customer_id: string; revision: string; state: LoyaltyState }>(
    `SELECT customer_id, revision, state FROM ${schema}.accounts WHERE customer_id = ANY ($1) ORDER BY customer_id FOR UPDATE`,
    [customerIds],
  );
  const byId = new Map(cached.map((row) => [row.customer_id, row]));
  const accounts = customerIds.map((customerId) => {
    const row = byId.get(customerId);
    // No row yet: assume no stream; if there is one after all, the append conflicts and the account is read.
    return { customerId, state: row ? row.state : initialState(), revision: row ? Number(row.revision) : -1 };
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

  const accountRows = decided.map((entry) => {
    const lastFact = entry.outcome[entry.outcome.length - 1].fact;
    return {
      customer_id: entry.customerId,
      revision: entry.revision,
      state: entry.state,
      next_due_at: nextDueAt(entry.state, options.rules, isoOf(lastFact.occurredAt)) ?? null,
    };
  });
  await tx.query(
    `INSERT INTO ${schema}.accounts (customer_id, revision, state, next_due_at)
     SELECT r.customer_id, r.revision, r.state, r.next_due_at
       FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, revision bigint, state jsonb, next_due_at timestamptz)
     ON CONFLICT (customer_id) DO UPDATE SET revision = excluded.revision, state = excluded.state, next_due_at = excluded.next_due_at`,
    [JSON.stringify(accountRows)],
  );
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
