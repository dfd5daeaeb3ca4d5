import { exampleEvent, fromRecordedEvent, isPlaceholderId, parseEvent, toStoredEvent, visitorLinkOf } from './index';

const custom = (properties: unknown) => parseEvent({ ...exampleEvent('CustomEventTracked'), data: { name: 'Newsletter Opened', properties } });

describe('tracking events', () => {
  it('accepts custom event properties as free JSON up to the size and depth limits', () => {
    expect(custom({ campaign: 'spring', nested: { list: [1, 'two', null, true] } }).ok).toBe(true);
    const big = custom({ blob: 'x'.repeat(16 * 1024) });
    expect(big.ok ? [] : big.errors).toEqual([{ path: 'data.properties', message: 'must be at most 16384 bytes as JSON' }]);
    let deep: unknown = 'leaf';
    for (let level = 0; level < 10; level++) deep = { deeper: deep };
    const nested = custom(deep);
    expect(nested.ok ? [] : nested.errors).toEqual([{ path: 'data.properties', message: 'must not nest deeper than 8 levels' }]);
    const badKey = custom({ 'a\u0000b': 1 });
    expect(badKey.ok ? [] : badKey.errors[0]?.path).toBe('data.properties');
    const badValue = custom({ note: 'a\u0000b' });
    expect(badValue.ok ? [] : badValue.errors[0]?.path).toBe('data.properties.note');
  });

  it('needs at least one identifier in CustomerIdentified', () => {
    const result = parseEvent({ ...exampleEvent('CustomerIdentified'), data: { via: 'login' } });
    expect(result.ok ? [] : result.errors).toEqual([{ path: 'data', message: 'at least one of anonymousId, email or phone is required' }]);
  });

  it('links the visitor a CustomerIdentified names, but never a placeholder id', () => {
    const stored = (anonymousId: string) =>
      fromRecordedEvent({
        ...toStoredEvent({ ...exampleEvent('CustomerIdentified'), data: { anonymousId } }, '2024-01-01T00:00:00Z'),
        streamId: 'customer-cust-1001',
        revision: 0,
        position: 5,
      });
    expect(visitorLinkOf(stored('anon-1'))).toMatchObject({ anonymousId: 'anon-1', customerId: 'cust-1001', position: 5 });
    for (const placeholder of ['0', '-1', 'null', 'anonymous', 'Anonymous', '00000000-0000-0000-0000-000000000000']) {
      expect([placeholder, visitorLinkOf(stored(placeholder))]).toEqual([placeholder, undefined]);
    }
    expect(isPlaceholderId('anon-10')).toBe(false);
    expect(isPlaceholderId('guest-7', ['guest-7'])).toBe(true);
  });
});
