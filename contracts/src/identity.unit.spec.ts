import { fromRecordedEvent, toStoredEvent } from './index';
import { visitorLinkOf, winningLink, type VisitorLink } from './identity';

const registration = (customerId: string, position: number, previousAnonymousId?: string) =>
  fromRecordedEvent({
    ...toStoredEvent(
      { id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`, type: 'CustomerRegistered', version: 1, customerId, occurredAt: '2024-01-01T00:00:00Z', source: 'shop', data: { previousAnonymousId } },
      '2024-01-01T00:00:00Z',
    ),
    streamId: `customer-${customerId}`,
    revision: 0,
    position,
  });

describe('identity rule', () => {
  it('reads the claim a registration makes on a visitor', () => {
    expect(visitorLinkOf(registration('c-1', 7, 'anon-1'))).toEqual({ anonymousId: 'anon-1', customerId: 'c-1', position: 7, eventId: '00000000-0000-4000-8000-000000000007' });
    expect(visitorLinkOf(registration('c-1', 8))).toBeUndefined();
  });

  it('gives the visitor to the claim with the lowest position, whatever the order of arrival', () => {
    const claims: VisitorLink[] = [30, 10, 20].map((position) => visitorLinkOf(registration(`c-${position}`, position, 'anon-1')) as VisitorLink);
    expect(winningLink(claims)?.customerId).toBe('c-10');
    expect(winningLink([...claims].reverse())?.customerId).toBe('c-10');
    expect(winningLink([])).toBeUndefined();
  });
});
