import { loyaltyStreamId } from '@rapport/contracts';
import { ConcurrencyError, type EventStore, type StreamAppend } from '@rapport/event-store';
import type { Draft } from './decide';
import { expectedRevisionOf, readAccount, toAppend, type Account } from './account-store';

/** One customer's part of a write: what was decided on which revision. */
export interface Decided<T> extends Account {
  readonly customerId: string;
  readonly drafts: readonly Draft[];
  /** Whatever the caller wants back from deciding (answers, skipped reasons). */
  readonly outcome: T;
}

const MAX_ATTEMPTS = 50;

/**
 * Appends each customer's decisions with its expected revision, in one call. When a stream
 * moved on (a command, the scheduler, or this very write before a crash), that customer is
 * re-read from the store and decided again; derived ids make a repeated decision a duplicate.
 */
export async function appendDecisions<T>(
  store: EventStore,
  accounts: readonly (Account & { readonly customerId: string })[],
  decide: (account: Account & { customerId: string }) => Decided<T>,
  receivedAt: () => string,
): Promise<Decided<T>[]> {
  const decided = new Map<string, Decided<T>>(accounts.map((account) => [account.customerId, decide(account)]));
  for (let attempt = 1; ; attempt++) {
    const appends: StreamAppend[] = [];
    const at = receivedAt();
    for (const entry of decided.values()) {
      if (entry.drafts.length === 0) continue;
      appends.push({
        streamId: loyaltyStreamId(entry.customerId),
        expectedRevision: expectedRevisionOf(entry.revision),
        events: entry.drafts.map((draft) => toAppend(entry.customerId, draft, at)),
      });
    }
    if (appends.length === 0) return [...decided.values()];
    try {
      const results = await store.appendMany(appends);
      for (const result of results) {
        const customerId = result.streamId.slice('loyalty-'.length);
        const entry = decided.get(customerId) as Decided<T>;
        decided.set(customerId, { ...entry, revision: result.nextExpectedRevision });
      }
      return [...decided.values()];
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
      const customerId = error.streamId.slice('loyalty-'.length);
      const fresh = await readAccount(store, customerId);
      decided.set(customerId, decide({ customerId, state: fresh.state, revision: fresh.revision }));
    }
  }
}
