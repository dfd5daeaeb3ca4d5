import {
  exampleLoyaltyEvents,
  fromRecordedLoyaltyEvent,
  jsonSchemas,
  asyncApiDocument,
  LOYALTY_EVENT_TYPES,
  parseEvent,
  parseLoyaltyEvent,
  toStoredEvent,
} from './index';

describe('loyalty event family', () => {
  it('has a valid example of every loyalty type', () => {
    const examples = exampleLoyaltyEvents();
    expect(new Set(examples.map((event) => event.type))).toEqual(new Set(LOYALTY_EVENT_TYPES));
    for (const example of examples) expect(parseLoyaltyEvent(example)).toEqual({ ok: true, event: example });
  });

  it('is never accepted from emitters', () => {
    const [earned] = exampleLoyaltyEvents();
    expect(parseEvent(earned)).toEqual({
      ok: false,
      errors: [{ path: 'type', message: 'PointsEarned is decided by the loyalty service and cannot be emitted' }],
    });
  });

  it('rejects fractional, zero and huge points, naming the field', () => {
    const [earned] = exampleLoyaltyEvents();
    const withPoints = (points: number) => parseLoyaltyEvent({ ...earned, data: { ...earned.data, points } });
    expect(withPoints(1.5)).toEqual({ ok: false, errors: [{ path: 'data.points', message: 'must be a whole number of points' }] });
    expect(withPoints(0)).toEqual({ ok: false, errors: [{ path: 'data.points', message: 'must be at least 1' }] });
    expect(withPoints(2e9).ok).toBe(false);
  });

  it('reads stored loyalty events back', () => {
    const [earned] = exampleLoyaltyEvents();
    const stored = toStoredEvent(earned, '2024-03-02T21:00:01Z');
    const read = fromRecordedLoyaltyEvent({ ...stored, streamId: 'loyalty-cust-1001', revision: 0, position: 7 });
    expect(read).toEqual({ ...earned, receivedAt: '2024-03-02T21:00:01Z', streamId: 'loyalty-cust-1001', revision: 0, position: 7 });
  });

  it('is exported as JSON Schema and in the AsyncAPI document', () => {
    const schemas = jsonSchemas();
    for (const type of LOYALTY_EVENT_TYPES) expect(schemas[type].$id).toBe(`urn:rapport:event:${type}:v1`);
    const document = asyncApiDocument() as { channels: { customerEvents: { messages: Record<string, unknown> } } };
    for (const type of LOYALTY_EVENT_TYPES) expect(document.channels.customerEvents.messages[type]).toEqual({ $ref: `#/components/messages/${type}` });
  });
});
