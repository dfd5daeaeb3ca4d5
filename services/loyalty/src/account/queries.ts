import type { EventStore } from '@rapport/event-store';
import { AccountNotFoundError } from '../errors';
import type { RuleBook } from '../rules/rules';
import { readAccount } from './account-store';
import { advanceInPlace } from './decide';
import { viewOf, type AccountView } from './state';

export interface AccountAnswer extends AccountView {
  readonly customerId: string;
  readonly asOf: string;
  /** Version of the rules the view was read with (the one in force at asOf). */
  readonly rulesVersion: string;
}

/**
 * The account as it stood at `asOf` (default now), folded from the loyalty events up to
 * that instant, with changes that fell due by then applied in memory, never from a snapshot.
 */
export async function readAccountView(store: EventStore, rules: RuleBook, customerId: string, asOf: string): Promise<AccountAnswer> {
  const account = await readAccount(store, customerId, asOf);
  if (account.revision < 0) throw new AccountNotFoundError(customerId);
  advanceInPlace(account.state, asOf, rules, customerId);
  const version = rules.at(asOf);
  return { customerId, asOf, rulesVersion: version.version, ...viewOf(account.state, asOf, version) };
}
