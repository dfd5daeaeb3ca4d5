import { randomUUID } from 'node:crypto';
import { fromRecordedEvent, MERGES_STREAM, toStoredEvent, type Actor, type Envelope } from '@rapport/contracts';
import type { EventStore } from '@rapport/event-store';
import { decideMerge, evolveMerges, initialMergeState, type MergeCommand, type MergeDecision, type MergeState } from './merge-decider';

export interface MergeAnswer {
  readonly customerId: string;
  readonly type: MergeDecision['type'];
  readonly eventId: string;
  readonly position: number;
}

async function mergeState(store: EventStore): Promise<MergeState> {
  let state = initialMergeState();
  for (const recorded of await store.readStream(MERGES_STREAM)) {
    const event = fromRecordedEvent(recorded);
    if (event.type === 'CustomersMerged' || event.type === 'CustomersUnmerged') {
      state = evolveMerges(state, { type: event.type, customerId: event.customerId, data: event.data } as MergeDecision, event.revision);
    }
  }
  return state;
}

/**
 * Read the merges stream → fold → decide → append at the revision read, so two admins merging
 * at once cannot both pass the checks (the second gets a 409 concurrency problem and may retry).
 */
export async function runMergeCommand(store: EventStore, command: MergeCommand, context: { readonly actor?: Actor; readonly now: Date }): Promise<MergeAnswer> {
  const state = await mergeState(store);
  const decision = decideMerge(command, state);
  const envelope = {
    id: randomUUID(),
    version: 1,
    occurredAt: context.now.toISOString(),
    source: 'rapport-identity',
    ...(context.actor ? { actor: context.actor } : {}),
    ...decision,
  } as Envelope<string, unknown>;
  const result = await store.append(MERGES_STREAM, [toStoredEvent(envelope, context.now.toISOString())], state.revision < 0 ? 'no_stream' : state.revision);
  return { customerId: decision.customerId, type: decision.type, eventId: envelope.id, position: result.events[0]!.position };
}
