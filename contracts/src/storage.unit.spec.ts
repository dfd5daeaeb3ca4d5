import {
  exampleEvent,
  exampleEvents,
  fromRecordedEvent,
  InvalidEventError,
  streamIdFor,
  toStoredEvent,
  UnknownEventTypeError,
  type RecordedEventInput,
} from './index';

const RECEIVED_AT = '2024-03-20T10:00:00.000Z';

function thrownBy(read: () => unknown): unknown {
  try {
    read();
  } catch (error) {
    return error;
  }
  return undefined;
}

function recorded(stored: ReturnType<typeof toStoredEvent>, position = 1): RecordedEventInput {
  return { ...stored, streamId: 'customer-cust-1001', revision: position - 1, position };
}

describe('storing and reading events', () => {
  it('puts the envelope in metadata, beside id, type and data', () => {
    const event = { ...exampleEvent('ComplaintResponded'), causationId: 'cmd-9' };
    expect(toStoredEvent(event, RECEIVED_AT)).toEqual({
      id: event.id,
      type: 'ComplaintResponded',
      data: event.data,
      metadata: {
        version: 1,
        customerId: 'cust-1001',
        occurredAt: event.occurredAt,
        source: 'support-desk',
        correlationId: 'journey-cust-1001',
        causationId: 'cmd-9',
        actor: { id: 'agent-7', name: 'Priya Shah' },
        receivedAt: RECEIVED_AT,
      },
    });
  });

  it('leaves absent optional fields out of the metadata, so it stays plain JSON', () => {
    const { metadata } = toStoredEvent({ ...exampleEvent('OrderDelivered'), correlationId: undefined }, RECEIVED_AT);
    expect(Object.keys(metadata).sort()).toEqual(['customerId', 'occurredAt', 'receivedAt', 'source', 'version']);
  });

  it('round-trips every example through storage', () => {
    exampleEvents().forEach((event, index) => {
      const stored = JSON.parse(JSON.stringify(toStoredEvent(event, RECEIVED_AT)));
      expect(fromRecordedEvent(recorded(stored, index + 1))).toEqual({
        ...event,
        receivedAt: RECEIVED_AT,
        streamId: 'customer-cust-1001',
        revision: index,
        position: index + 1,
      });
    });
  });

  it('round-trips a visitor event to its visitor stream', () => {
    const { customerId: _customer, ...visit } = exampleEvent('VisitRecorded');
    const event = { ...visit, anonymousId: 'anon-5b1e77' };
    const read = fromRecordedEvent({ ...toStoredEvent(event, RECEIVED_AT), streamId: streamIdFor(event), revision: 0, position: 7 });
    expect(read.anonymousId).toBe('anon-5b1e77');
    expect(read.customerId).toBeUndefined();
    expect(read.streamId).toBe('visitor-anon-5b1e77');
  });

  it('ignores metadata that is not part of the envelope', () => {
    const stored = toStoredEvent(exampleEvent('OrderDelivered'), RECEIVED_AT);
    const read = fromRecordedEvent(recorded({ ...stored, metadata: { ...stored.metadata, traceparent: '00-abc', apiKey: 'k1' } }));
    expect(read).not.toHaveProperty('traceparent');
    expect(read.receivedAt).toBe(RECEIVED_AT);
  });

  it('falls back to the store time when receivedAt is missing', () => {
    const { receivedAt: _receivedAt, ...metadata } = toStoredEvent(exampleEvent('OrderDelivered'), RECEIVED_AT).metadata;
    const stored = { ...toStoredEvent(exampleEvent('OrderDelivered'), RECEIVED_AT), metadata };
    expect(fromRecordedEvent({ ...recorded(stored), recordedAt: '2024-03-20T10:00:05Z' }).receivedAt).toBe('2024-03-20T10:00:05Z');
    expect(() => fromRecordedEvent(recorded(stored))).toThrow(InvalidEventError);
  });

  it('refuses stored events that break their contract, saying where', () => {
    const stored = toStoredEvent(exampleEvent('OrderPlaced'), RECEIVED_AT);
    const broken = recorded({ ...stored, data: { ...(stored.data as object), total: 'lots' } });
    const error = thrownBy(() => fromRecordedEvent(broken));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({
      code: 'INVALID_EVENT',
      errors: [{ path: 'data.total', message: 'Invalid input: expected number, received string' }],
    });
  });

  it('refuses types outside the catalogue with their own error', () => {
    const stored = toStoredEvent(exampleEvent('OrderDelivered'), RECEIVED_AT);
    const read = () => fromRecordedEvent(recorded({ ...stored, type: 'PointsRedeemed' }));
    expect(read).toThrow(UnknownEventTypeError);
    expect(read).toThrow("unknown event type 'PointsRedeemed'");
  });
});
