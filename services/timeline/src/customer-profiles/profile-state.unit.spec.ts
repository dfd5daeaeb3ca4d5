import { fromRecordedEvent, streamIdFor, toStoredEvent, type StoredEvent } from '@rapport/contracts';
import fc from 'fast-check';
import { CUSTOMER, mixedHistory, VISITOR } from '../mixed-history';
import { emptyBatchState, type ProfileBatchState } from './profile-rows';
import { evolve } from './profile-state';

function stored(): StoredEvent[] {
  const { inOrder, late } = mixedHistory();
  return [...inOrder, ...late].map((event, index) =>
    fromRecordedEvent({ ...toStoredEvent(event as Parameters<typeof toStoredEvent>[0], event.occurredAt), streamId: streamIdFor(event), revision: index, position: index + 1 }),
  );
}

function fold(events: readonly StoredEvent[]): ProfileBatchState {
  const state = emptyBatchState();
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

const order = (subject: string | { anonymousId: string }, orderId: string, total: number) =>
  storedEvent('OrderPlaced', subject, '2024-05-01T10:00:00Z', { orderId, channel: 'web', currency: 'GBP', total, lines: [{ sku: 'A', quantity: 1, unitPrice: total }] });
const registration = (customerId: string, anonymousId: string, occurredAt = '2024-05-02T10:00:00Z') =>
  storedEvent('CustomerRegistered', customerId, occurredAt, { email: `${customerId}@example.com`, previousAnonymousId: anonymousId });

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
    expect(state.visitors.get(VISITOR)).toEqual({
      anonymous_id: VISITOR,
      customer_id: CUSTOMER,
      link_position: 2,
      first_seen: '2024-04-01T09:00:00.000Z',
      last_seen: '2024-04-08T18:00:00.000Z',
      event_count: 2,
    });
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

  it("counts a visitor's orders for the customer, whether the link comes before or after them", () => {
    const visitor = { anonymousId: 'anon-guest' };
    const guestOrder = order(visitor, 'g-1', 4000);
    const link = registration('c-guest', 'anon-guest');
    const own = order('c-guest', 'o-1', 1000);
    for (const events of [[guestOrder, link, own], [link, own, guestOrder]]) {
      const state = fold(events);
      expect([...state.orders.values()].map((row) => [row.stream_id, row.order_id, row.customer_id, row.total]).sort()).toEqual([
        ['customer-c-guest', 'o-1', 'c-guest', 1000],
        ['visitor-anon-guest', 'g-1', 'c-guest', 4000],
      ]);
      expect(state.profiles.get('c-guest')).toMatchObject({ first_seen: '2024-05-01T10:00:00.000Z', own_first_seen: '2024-05-01T10:00:00.000Z' });
    }
  });

  it('gives a visitor claimed twice to the earlier claim, keeping both claims', () => {
    const visitor = { anonymousId: 'anon-shared' };
    const first = registration('c-first', 'anon-shared');
    const second = registration('c-second', 'anon-shared');
    const guestOrder = order(visitor, 'g-2', 700);
    for (const events of [[first, second, guestOrder], [second, guestOrder, first], [guestOrder, second, first]]) {
      const state = fold(events);
      expect(state.visitors.get('anon-shared')).toMatchObject({ customer_id: 'c-first', link_position: first.position });
      expect([...state.orders.values()].map((row) => row.customer_id)).toEqual(['c-first']);
      expect(state.claims.map((claim) => claim.customer_id).sort()).toEqual(['c-first', 'c-second']);
    }
  });
});
