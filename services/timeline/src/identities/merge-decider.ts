import type { EventOf } from '@rapport/contracts';
import { IllegalStateError, ValidationError } from '@rapport/platform';

/** Who is merged into whom, folded from the merges stream, and the stream's last revision (-1 when empty). */
export interface MergeState {
  readonly into: ReadonlyMap<string, string>;
  readonly revision: number;
}

export type MergeCommand =
  | { readonly kind: 'merge'; readonly customerId: string; readonly into: string; readonly reason: string }
  | { readonly kind: 'unmerge'; readonly customerId: string; readonly reason?: string };

export type MergeDecision =
  | { readonly type: 'CustomersMerged'; readonly customerId: string; readonly data: EventOf<'CustomersMerged'>['data'] }
  | { readonly type: 'CustomersUnmerged'; readonly customerId: string; readonly data: EventOf<'CustomersUnmerged'>['data'] };

export const initialMergeState = (): MergeState => ({ into: new Map(), revision: -1 });

export function evolveMerges(state: MergeState, event: MergeDecision, revision: number): MergeState {
  const into = new Map(state.into);
  switch (event.type) {
    case 'CustomersMerged':
      into.set(event.customerId, event.data.into);
      break;
    case 'CustomersUnmerged':
      into.delete(event.customerId);
      break;
    default: {
      const unknown: never = event;
      throw new Error(`no merge reading for ${(unknown as { type: string }).type}`);
    }
  }
  return { into, revision };
}

const mergedInto = (state: MergeState, customerId: string) => [...state.into].filter(([, survivor]) => survivor === customerId).map(([merged]) => merged);

/**
 * Merges stay one level deep: a customer merged into another is never a survivor, so every
 * read model finds a merged customer's history with one lookup and no merge can close a cycle.
 */
export function decideMerge(command: MergeCommand, state: MergeState): MergeDecision {
  const { customerId } = command;
  const current = state.into.get(customerId);
  switch (command.kind) {
    case 'merge': {
      const { into, reason } = command;
      if (into === customerId) throw new ValidationError([{ path: 'into', message: 'a customer cannot be merged into itself' }]);
      if (current !== undefined) throw new IllegalStateError(`Customer '${customerId}' is already merged into '${current}'; unmerge it first.`);
      const survivorOfSurvivor = state.into.get(into);
      if (survivorOfSurvivor === customerId) {
        throw new IllegalStateError(`Merging '${customerId}' into '${into}' would make a cycle: '${into}' is merged into '${customerId}'.`);
      }
      if (survivorOfSurvivor !== undefined) throw new IllegalStateError(`Customer '${into}' is merged into '${survivorOfSurvivor}'; merge into '${survivorOfSurvivor}' instead.`);
      const absorbed = mergedInto(state, customerId);
      if (absorbed.length > 0) {
        throw new IllegalStateError(`Customers ${absorbed.map((id) => `'${id}'`).join(', ')} are merged into '${customerId}'; unmerge them or merge them into '${into}' first.`);
      }
      return { type: 'CustomersMerged', customerId, data: { into, reason } };
    }
    case 'unmerge':
      if (current === undefined) throw new IllegalStateError(`Customer '${customerId}' is not merged into anyone.`);
      return { type: 'CustomersUnmerged', customerId, data: { from: current, ...(command.reason ? { reason: command.reason } : {}) } };
    default: {
      const unknown: never = command;
      throw new Error(`no decision for ${(unknown as { kind: string }).kind}`);
    }
  }
}
