import { fromRecordedEvent, streamIdFor, toStoredEvent, type StoredEvent } from '@rapport/contracts';
import fc from 'fast-check';
import { CUSTOMER, mixedHistory, VISITOR } from '../mixed-history';
import { evolve, type ProfileBatchState } from './profile-state';

function stored(): StoredEvent[] {
  const { inOrder, late } = mixedHistory();
  return [...inOrder, ...late].map((event, index) =>
    fromRecordedEvent({ ...toStoredEvent(event as Parameters<typeof toStoredEvent>[0], event.occurredAt), streamId: streamIdFor(event), revision: index, position: index + 1 }),
  );
}

function fold(events: readonly StoredEvent[]): ProfileBatchState {
  const state: ProfileBatchState = {
    profiles: new Map(),
    orders: new Map(),
    complaints: new Map(),
    callbacks: new Map(),
    visitors: new Map(),
    refunds: [],
    touched: { profiles: new Set(), orders: new Set(), complaints: new Set(), callbacks: new Set(), visitors: new Set() },
  };
  for (const event of events) evolve(state, event);
  return state;
}

let position = 1000;
/** A stored event of `subject` (a customer id, or `{ anonymousId }`), at the next position. */
function storedEvent(type: string, subject: string | { anonymousId: string }, occurredAt: string, data: unknown): StoredEvent {
  const who = typeof subject === 'string' ? { customerId: subject } : subject;
  const event = { id: `30000000-0000-4000-8000-${String(++position).padStart(12, '0')}`, type, version: 1, ...who, occurredAt, source: 'shop', data };
  return fromRecordedEvent({ ...toStoredEvent(event as Parameters<typeof toStoredEvent>[0], occurredAt), streamId: streamIdFor(who), revision: 0, position });
}

const comparable = (state: ProfileBatchState) => ({
  profiles: [...state.profiles.values()],
  orders: [...state.orders.values()].sort((a, b) => a.order_id.localeCompare(b.order_id)),
  complaints: [...state.complaints.values()],
  callbacks: [...state.callbacks.values()].sort((a, b) => a.callback_id.localeCompare(b.callback_id)),
  visitors: [...state.visitors.values()],
  refunds: [...state.refunds].sort((a, b) => a.event_id.localeCompare(b.event_id)),
});

describe('profile fold', () => {
  it('ends in the latest identity, the earliest registration and every status by event time', () => {
    const state = fold(stored());
    expect(state.profiles.get(CUSTOMER)).toMatchObject({
      email: 'jo@example.com',
      phone: '+447700900222',
      first_name: 'Jo',
      last_name: 'Bloggs',
      signup_channel: 'web',
      registered_at: '2024-04-01T09:10:00.000Z',
      first_seen: '2024-03-01T00:00:00.000Z',
      last_seen: '2024-04-10T09:00:00.000Z',
    });
    expect(state.visitors.get(VISITOR)).toEqual({ anonymous_id: VISITOR, customer_id: CUSTOMER, first_seen: '2024-04-01T09:00:00.000Z', last_seen: '2024-04-08T18:00:00.000Z' });
    expect([...state.complaints.values()].map((c) => [c.complaint_id, c.status])).toEqual([['cmp-1', 'resolved']]);
    expect([...state.callbacks.values()].map((c) => [c.callback_id, c.status])).toEqual([
      ['cb-1', 'completed'],
      ['cb-2', 'requested'],
    ]);
  });

  it('gives the same rows whatever order the events arrive in', () => {
    const events = stored();
    const expected = comparable(fold(events));
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length }), (shuffled) => {
        expect(comparable(fold(shuffled))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('orders instants before 1970 by time too', () => {
    const older = storedEvent('CustomerProfileUpdated', 'c-old', '1950-06-01T00:00:00Z', { lastName: 'Older' });
    const newer = storedEvent('CustomerProfileUpdated', 'c-old', '1960-06-01T00:00:00Z', { lastName: 'Newer' });
    const before1900 = storedEvent('CustomerProfileUpdated', 'c-old', '1900-01-01T00:00:00Z', { lastName: 'Oldest' });
    for (const events of [[older, newer, before1900], [newer, before1900, older], [before1900, older, newer]]) {
      expect(fold(events).profiles.get('c-old')?.last_name).toBe('Newer');
    }
  });
});
