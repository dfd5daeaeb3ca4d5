import { fromRecordedLoyaltyEvent, loyaltyStreamId, toStoredEvent, type LoyaltyEvent } from '@rapport/contracts';
import type { EventStore, EventToAppend, ExpectedRevision } from '@rapport/event-store';
import type { Draft } from './decide';
import { fold, type LoyaltyState } from './state';

/** Where time comes from: the scheduler, commands and `receivedAt` read it, so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A fold of one customer's loyalty stream and the revision it reached (-1: no stream). */
export interface Account {
  readonly state: LoyaltyState;
  readonly revision: number;
}

/** Reads `loyalty-<customerId>` and folds it, optionally only the events up to an instant. */
export async function readAccount(store: EventStore, customerId: string, asOf?: string): Promise<Account & { events: LoyaltyEvent[] }> {
  const recorded = await store.readStream(loyaltyStreamId(customerId));
  const events = recorded.map((event) => fromRecordedLoyaltyEvent(event));
  const revision = recorded.length > 0 ? recorded[recorded.length - 1].revision : -1;
  const limit = asOf === undefined ? undefined : Date.parse(asOf);
  const included = limit === undefined ? events : events.filter((event) => Date.parse(event.occurredAt) <= limit);
  return { state: fold(included), revision, events: included };
}

/** Folds the events after a snapshot (a fold up to `revision`) onto it: the stream's tail only. */
export async function readAccountAfter(store: EventStore, customerId: string, snapshot: Account): Promise<Account> {
  const tail = await store.readStream(loyaltyStreamId(customerId), { fromRevision: snapshot.revision + 1 });
  const state = fold(tail.map((event) => fromRecordedLoyaltyEvent(event)), snapshot.state);
  return { state, revision: tail.length > 0 ? tail[tail.length - 1].revision : snapshot.revision };
}

export const expectedRevisionOf = (revision: number): ExpectedRevision => (revision < 0 ? 'no_stream' : revision);

/** A decided event with its envelope: the loyalty service is its source, the fact or command its cause. */
export function toAppend(customerId: string, draft: Draft, receivedAt: string, actor?: { id: string; name?: string }): EventToAppend {
  const envelope = {
    id: draft.id,
    type: draft.type,
    version: 1,
    customerId,
    occurredAt: draft.occurredAt,
    source: 'loyalty',
    causationId: draft.data.sourceEventId,
    ...(actor ? { actor } : {}),
    data: draft.data,
  } as LoyaltyEvent;
  return toStoredEvent(envelope, receivedAt);
}
