import { fromRecordedLoyaltyEvent, loyaltyStreamId } from '@rapport/contracts';
import type { EventStore } from '@rapport/event-store';
import { AccountNotFoundError } from '../errors';
import type { RuleBook } from '../rules/rules';
import { readAccount } from './account-store';
import { advanceInPlace } from './decide';
import { Deciding } from './deciding';
import { fold, viewOf, type AccountView } from './state';

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
export async function readAccountView(store: EventStore, rules: RuleBook, customerId: string, asOf: string, members: readonly string[] = [customerId]): Promise<AccountAnswer> {
  const account = members.length > 1 ? await readMergedAccounts(store, members, asOf) : await readAccount(store, customerId, asOf);
  if (account.revision < 0) throw new AccountNotFoundError(customerId);
  advanceInPlace(account.state, asOf, rules, customerId);
  const version = rules.at(asOf);
  // Merged accounts' qualifying points together may reach a tier neither account did: shown, not stored.
  if (members.length > 1) new Deciding(account.state, rules, customerId).upgrade(asOf, `merge:${members.join(',')}`, version);
  return { customerId, asOf, rulesVersion: version.version, ...viewOf(account.state, asOf, version) };
}

/**
 * A survivor's account with the accounts merged into it: every account's loyalty events up to
 * `asOf`, in store order, folded as one, so lots, balances and tier decisions of both count. Nothing
 * is written: each account keeps its own stream, and an unmerge reads them apart again.
 */
async function readMergedAccounts(store: EventStore, members: readonly string[], asOf: string) {
  const limit = Date.parse(asOf);
  const streams = await Promise.all(members.map((member) => store.readStream(loyaltyStreamId(member))));
  const events = streams
    .flat()
    .map((recorded) => fromRecordedLoyaltyEvent(recorded))
    .filter((event) => Date.parse(event.occurredAt) <= limit)
    .sort((a, b) => a.position - b.position);
  return { state: fold(events), revision: streams.some((stream) => stream.length > 0) ? 0 : -1 };
}
