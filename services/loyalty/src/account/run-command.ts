import { loyaltyStreamId } from '@rapport/contracts';
import { ConcurrencyError, type EventStore } from '@rapport/event-store';
import type { Database } from '@rapport/projections';
import { ConcurrencyError as RetriesExhaustedError } from '@rapport/platform';
import { AccountNotFoundError, InsufficientPointsError } from '../errors';
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
/** What a command's caller decided (recorded with them as actor), as opposed to what fell due on the way. */
const STAFF_DECISIONS = new Set(['PointsRedeemed', 'PointsAdjusted']);
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

/** A fold this process holds for commands, and how far the processor's cache row was behind it. */
interface Held extends Account {
  readonly rowBehind: number;
}

/** A command rewrites the cache row once it lags this many events behind the stream (the processor and scheduler rewrite it too). */
const ROW_LAG_REWRITE = 32;
const HELD_ACCOUNTS = 10_000;
const heldByStore = new WeakMap<EventStore, Map<string, Held>>();

function heldFor(store: EventStore): Map<string, Held> {
  let held = heldByStore.get(store);
  if (!held) heldByStore.set(store, (held = new Map()));
  return held;
}

function hold(held: Map<string, Held>, customerId: string, account: Held): void {
  held.set(customerId, account);
  if (held.size > HELD_ACCOUNTS) held.delete(held.keys().next().value as string);
}

/**
 * Read stream → fold → decide → append with the expected revision; another writer in
 * between (another process, the processor, the scheduler) means read and decide again.
 * The fold of the last command on an account stays in memory: the next command on it
 * decides on that fold and appends at once, and the expected revision catches a stream
 * that moved on meanwhile (the stream is then read again). Commands run one at a time per
 * account, so a held fold is never used by two at once.
 */
export function runCommand(context: CommandContext, customerId: string, input: CommandInput, actor?: { id: string; name?: string }): Promise<Answer & { replayed: boolean }> {
  return serialised(customerId, async () => {
    const held = heldFor(context.store);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const kept = held.get(customerId);
      held.delete(customerId);
      const account = attempt === 1 && kept ? kept : await readCurrent(context, customerId);
      if (account.revision < 0) throw new AccountNotFoundError(customerId);
      const now = context.clock.now().toISOString();
      let decision: ReturnType<typeof decideCommand>;
      try {
        decision = decideCommand(account.state, { ...input, at: now } as LoyaltyCommand, context.rules, customerId);
      } catch (error) {
        // Too few points in a held fold may be a stream that moved on: only a fresh read refuses.
        if (account === kept && attempt === 1 && error instanceof InsufficientPointsError) continue;
        // Refused (too few points, a reused key): deciding works on a copy, the fold is as it was.
        hold(held, customerId, account);
        throw error;
      }
      if (decision.events.length === 0) {
        hold(held, customerId, account);
        return decision.answer!;
      }
      try {
        const result = await context.store.append(
          loyaltyStreamId(customerId),
          decision.events.map((draft) => toAppend(customerId, draft, now, STAFF_DECISIONS.has(draft.type) ? actor : undefined)),
          expectedRevisionOf(account.revision),
        );
        for (const event of decision.events) evolve(account.state, event);
        const revision = result.nextExpectedRevision;
        // A new lot (a positive adjustment) must reach the scheduler through the row; spending only leaves the row's due instant early, which is harmless.
        const addsLot = decision.events.some((event) => event.type === 'PointsAdjusted' && event.data.points > 0);
        const rowBehind = account.rowBehind + (revision - account.revision);
        const rewrite = addsLot || rowBehind >= ROW_LAG_REWRITE;
        if (rewrite) await refreshProcessorCache(context, customerId, revision, account.state, now);
        hold(held, customerId, { state: account.state, revision, rowBehind: rewrite ? 0 : rowBehind });
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
async function readCurrent(context: CommandContext, customerId: string): Promise<Held> {
  const [cached] = await context.db.query<{ revision: string; state: unknown }>(
    'SELECT revision, state FROM loyalty_processor.accounts WHERE customer_id = $1',
    [customerId],
  );
  const state = cached ? decodeState(cached.state) : undefined;
  if (!state) {
    const full = await readAccount(context.store, customerId);
    return { state: full.state, revision: full.revision, rowBehind: ROW_LAG_REWRITE };
  }
  const account = await readAccountAfter(context.store, customerId, { revision: Number(cached!.revision), state });
  return { ...account, rowBehind: account.revision - Number(cached!.revision) };
}

/**
 * Brings the processor's cache row up to the command's fold: the scheduler must see lots a
 * command added, and a row far behind makes every reader fold a long tail.
 */
async function refreshProcessorCache(context: CommandContext, customerId: string, revision: number, state: LoyaltyState, now: string): Promise<void> {
  await context.db.query(
    `INSERT INTO loyalty_processor.accounts (customer_id, revision, state, next_due_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id) DO UPDATE SET revision = excluded.revision, state = excluded.state, next_due_at = excluded.next_due_at
      WHERE loyalty_processor.accounts.revision < excluded.revision`,
    [customerId, revision, encodeState(state), nextDueAt(state, context.rules, now) ?? null],
  );
}
