import { IllegalStateError, ValidationError } from '@rapport/platform';
import { decideMerge, evolveMerges, initialMergeState, type MergeCommand, type MergeDecision, type MergeState } from './merge-decider';

const given = (...events: MergeDecision[]): MergeState => events.reduce((state, event, revision) => evolveMerges(state, event, revision), initialMergeState());
const merged = (customerId: string, into: string): MergeDecision => ({ type: 'CustomersMerged', customerId, data: { into, reason: 'same person' } });
const unmerged = (customerId: string, from: string): MergeDecision => ({ type: 'CustomersUnmerged', customerId, data: { from } });
const merge = (customerId: string, into: string): MergeCommand => ({ kind: 'merge', customerId, into, reason: 'same person' });

describe('merge decider', () => {
  it('merges a customer into another and unmerges it from the one it was merged into', () => {
    expect(decideMerge(merge('a', 'b'), given())).toEqual(merged('a', 'b'));
    expect(decideMerge({ kind: 'unmerge', customerId: 'a', reason: 'not the same' }, given(merged('a', 'b')))).toEqual({
      type: 'CustomersUnmerged', customerId: 'a', data: { from: 'b', reason: 'not the same' },
    });
  });

  it('lets an unmerged customer be merged again, elsewhere', () => {
    const state = given(merged('a', 'b'), unmerged('a', 'b'));
    expect(state).toEqual({ into: new Map(), revision: 1 });
    expect(decideMerge(merge('a', 'c'), state)).toEqual(merged('a', 'c'));
  });

  it.each([
    ['itself', given(), merge('a', 'a'), ValidationError, 'into: a customer cannot be merged into itself'],
    ['a customer already merged', given(merged('a', 'b')), merge('a', 'c'), IllegalStateError, "Customer 'a' is already merged into 'b'; unmerge it first."],
    ['back into the one merged into it (a cycle)', given(merged('a', 'b')), merge('b', 'a'), IllegalStateError, "Merging 'b' into 'a' would make a cycle: 'a' is merged into 'b'."],
    ['into a merged customer (a chain)', given(merged('a', 'b')), merge('c', 'a'), IllegalStateError, "Customer 'a' is merged into 'b'; merge into 'b' instead."],
    ['a survivor', given(merged('a', 'b')), merge('b', 'c'), IllegalStateError, "Customers 'a' are merged into 'b'; unmerge them or merge them into 'c' first."],
  ])('refuses to merge %s', (_name, state, command, kind, message) => {
    expect(() => decideMerge(command, state)).toThrow(kind);
    expect(() => decideMerge(command, state)).toThrow(message);
  });

  it('refuses to unmerge a customer never merged, or merged and already unmerged', () => {
    expect(() => decideMerge({ kind: 'unmerge', customerId: 'a' }, given())).toThrow("Customer 'a' is not merged into anyone.");
    expect(() => decideMerge({ kind: 'unmerge', customerId: 'a' }, given(merged('a', 'b'), unmerged('a', 'b')))).toThrow(IllegalStateError);
  });
});
