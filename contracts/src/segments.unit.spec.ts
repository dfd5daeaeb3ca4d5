import { asyncApiDocument, EXAMPLE_CUSTOMER_ID, fromRecordedSegmentEvent, jsonSchemas, parseEvent, parseSegmentEvent, SEGMENT_EVENT_TYPES, toStoredEvent } from './index';

const changed = {
  id: '00000000-0000-4000-a000-000000000001',
  type: 'CustomerSegmentChanged',
  version: 1,
  customerId: EXAMPLE_CUSTOMER_ID,
  occurredAt: '2024-06-30T00:00:00.000Z',
  source: 'segments',
  data: { from: 'loyal', to: 'at_risk', scores: { r: 2, f: 4, m: 5 }, asOf: '2024-06-30T00:00:00.000Z', previousAsOf: '2024-03-31T00:00:00.000Z' },
};

describe('segment event family', () => {
  it('accepts a segment change from the segments service', () => {
    expect(parseSegmentEvent(changed)).toEqual({ ok: true, event: changed });
  });

  it('is never accepted from emitters', () => {
    expect(parseEvent(changed)).toEqual({ ok: false, errors: [{ path: 'type', message: 'CustomerSegmentChanged is decided by the segments service and cannot be emitted' }] });
  });

  it('rejects unknown segments and scores outside 1–5, naming the field', () => {
    const result = parseSegmentEvent({ ...changed, data: { ...changed.data, to: 'vip', scores: { r: 6, f: 1, m: 1 } } });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((error) => error.path).sort()).toEqual(['data.scores.r', 'data.to']);
  });

  it('reads a stored segment event back', () => {
    const stored = toStoredEvent(changed, '2024-06-30T00:00:01Z');
    expect(fromRecordedSegmentEvent({ ...stored, streamId: 'segment-cust-1001', revision: 0, position: 9 })).toEqual({
      ...changed,
      receivedAt: '2024-06-30T00:00:01Z',
      streamId: 'segment-cust-1001',
      revision: 0,
      position: 9,
    });
  });

  it('is exported as JSON Schema and in the AsyncAPI document', () => {
    const schemas = jsonSchemas();
    for (const type of SEGMENT_EVENT_TYPES) expect(schemas[type].$id).toBe(`urn:rapport:event:${type}:v1`);
    const document = asyncApiDocument() as { channels: { customerEvents: { messages: Record<string, unknown> } } };
    expect(document.channels.customerEvents.messages.CustomerSegmentChanged).toEqual({ $ref: '#/components/messages/CustomerSegmentChanged' });
  });
});
