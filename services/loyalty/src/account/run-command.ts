import { loyaltyStreamId } from '@rapport/contracts';
import { ConcurrencyError, type EventStore } from '@rapport/event-store';
import type { Database } from '@rapport/projections';
import { ConcurrencyError as RetriesExhaustedError } from '@rapport/platform';
import { AccountNotFoundError } from '../errors';
import type { RuleBook } from '../rules/rules';
import { expectedRevisionOf, readAccount, readAccountAfter, toAppend, type Account, type Clock } from './account-store';
import { decideCommand, nextDueAt, type LoyaltyCommand } from './decide';
import { decodeState, encodeState } from './cached-state';
import { evolve, type Answer, type LoyaltyState } from './state';

export interface CommandContext {
  readonly db: Database;
  readonly store: EventStore;
  readonly rules: RuleBook;
  readonly clock: Clock;
}

type CommandInput = { [K in LoyaltyCommand['kind']]: Omit<Extract<LoyaltyCommand, { kind: K }>, 'at'> }[LoyaltyCommand['kind']];

const MAX_ATTEMPTS = 30;
const queues = new Map<string, Promise<unknown>>();

/** Runs commands on one account one after another in this process, so they need not race on the revision. */
function serialised<T>(customerId: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(customerId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(customerId, next);
  void next.catch(() => undefined).finally(() => {
    if (queues.get(customerId) === next) queues.delete(customerId);
  });
  return next;
}

/**
 * Read stream → fold → decide → append with the expected revision; another writer in
 * between (another process, the processor, the scheduler) means read and decide again.
 */
export function runCommand(context: CommandContext, customerId: string, input: CommandInput, actor?: { id: string; name?: string }): Promise<Answer & { replayed: boolean }> {
  return serialised(customerId, async () => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const account = await readCurrent(context, customerId);
      if (account.revision < 0) throw new AccountNotFoundError(customerId);
      const now = context.clock.now().toISOString();
      const decision = decideCommand(account.state, { ...input, at: now } as LoyaltyCommand, context.rules, customerId);
      if (decision.events.length === 0) return decision.answer!;
      try {
        const result = await context.store.append(
          loyaltyStreamId(customerId),
          decision.events.map((draft) => toAppend(customerId, draft, now, draft.type === 'PointsAdjusted' ? actor : undefined)),
          expectedRevisionOf(account.revision),
        );
        for (const event of decision.events) evolve(account.state, event);
        await refreshProcessorCache(context, customerId, result.nextExpectedRevision, account.state, now);
        return decision.answer!;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    throw new RetriesExhaustedError(`loyalty-${customerId} kept changing; try again`);
  });
}

/**
 * The processor's cache row is a fold of the stream up to its revision, so reading the stream
 * after it gives the same state as folding the whole stream, without decoding all of it.
 */
async function readCurrent(context: CommandContext, customerId: string): Promise<Account> {
  const [cached] = await context.db.query<{ revision: string; state: unknown }>(
    'SELECT revision, state FROM loyalty_processor.accounts WHERE customer_id = $1',
    [customerId],
  );
  const state = cached ? decodeState(cached.state) : undefined;
  if (!state) return readAccount(context.store, customerId);
  return readAccountAfter(context.store, customerId, { revision: Number(cached!.revision), state });
}

/** Keeps the processor's cache of the account current, so the scheduler sees lots a command added. */
async function refreshProcessorCache(context: CommandContext, customerId: string, revision: number, state: LoyaltyState, now: string): Promise<void> {
  await context.db.query(
    `INSERT INTO loyalty_processor.accounts (customer_id, revision, state, next_due_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id) DO UPDATE SET revision = excluded.revision, state = excluded.state, next_due_at = excluded.next_due_at
      WHERE loyalty_processor.accounts.revision < excluded.revision`,
    [customerId, revision, encodeState(state), nextDueAt(state, context.rules, now) ?? null],
  );
}
