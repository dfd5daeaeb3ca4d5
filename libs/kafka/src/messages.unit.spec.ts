import type { IHeaders, KafkaMessage } from 'kafkajs';
import { exampleEvent, toStoredEvent } from '@rapport/contracts';
import type { RecordedEvent } from '@rapport/event-store';
import { PoisonMessageError } from './errors';
import { fromKafkaMessage, HEADERS, toKafkaMessage } from './messages';

function recorded(overrides: Partial<RecordedEvent> = {}): RecordedEvent {
  const stored = toStoredEvent(exampleEvent('OrderPlaced'), '2024-03-02T10:00:00.000Z');
  return {
    ...stored,
    metadata: stored.metadata,
    streamId: 'customer-cust-1001',
    revision: 3,
    position: 42,
    recordedAt: '2024-03-02T10:00:00.010Z',
    checkpoint: 'store-checkpoint',
    ...overrides,
  };
}

/** What a consumer receives for a produced message: Buffers everywhere, an offset. */
function delivered(message: ReturnType<typeof toKafkaMessage>['message'], offset = 7): KafkaMessage & { headers: IHeaders } {
  return {
    key: message.key === undefined || message.key === null ? null : Buffer.from(message.key),
    value: message.value === null ? null : Buffer.from(message.value),
    timestamp: '1709373600000',
    attributes: 0,
    offset: String(offset),
    headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, Buffer.from(String(value))])),
  };
}

describe('Kafka messages', () => {
  it('carries the envelope as payload and the store coordinates as headers, keyed by customer', () => {
    const { message, notUpcast } = toKafkaMessage(recorded());
    expect(notUpcast).toBeUndefined();
    expect(message.key).toBe('cust-1001');
    expect(message.headers).toEqual({
      [HEADERS.id]: exampleEvent('OrderPlaced').id,
      [HEADERS.type]: 'OrderPlaced',
      [HEADERS.version]: '1',
      [HEADERS.stream]: 'customer-cust-1001',
      [HEADERS.position]: '42',
      [HEADERS.revision]: '3',
      [HEADERS.recordedAt]: '2024-03-02T10:00:00.010Z',
    });
    const payload = JSON.parse(String(message.value));
    expect(payload).toEqual({ ...exampleEvent('OrderPlaced'), receivedAt: '2024-03-02T10:00:00.000Z' });
  });

  it('rebuilds the recorded event a consumer can resume after', () => {
    const original = recorded();
    const rebuilt = fromKafkaMessage(delivered(toKafkaMessage(original).message, 7));
    expect(rebuilt).toEqual({ ...original, checkpoint: '8' });
  });

  it('publishes events the catalogue cannot read as stored, saying why', () => {
    const decision = recorded({ type: 'PointsEarned', data: { points: 5 }, metadata: { customerId: 'cust-1001', version: 2 } });
    const { message, notUpcast } = toKafkaMessage(decision);
    expect(notUpcast).toContain('unknown event type');
    expect(message.headers?.[HEADERS.version]).toBe('2');
    expect(fromKafkaMessage(delivered(message))).toMatchObject({ type: 'PointsEarned', data: { points: 5 }, metadata: { customerId: 'cust-1001', version: 2 } });
  });

  it('calls anything else poison, with the reason', () => {
    const good = delivered(toKafkaMessage(recorded()).message);
    const cases: Array<[KafkaMessage, RegExp]> = [
      [{ ...good, headers: {} }, /missing or invalid headers: event-id, event-type, stream, revision, position/],
      [{ ...good, headers: { ...good.headers, [HEADERS.position]: Buffer.from('x') } }, /position/],
      [{ ...good, value: Buffer.from('{not json') }, /not JSON/],
      [{ ...good, value: Buffer.from('[1]') }, /not a JSON object/],
      [{ ...good, value: null }, /tombstone/],
      [{ ...good, headers: { ...good.headers, [HEADERS.id]: Buffer.from('another-id') } }, /differs from header event-id/],
    ];
    for (const [message, reason] of cases) {
      expect(() => fromKafkaMessage(message)).toThrow(PoisonMessageError);
      expect(() => fromKafkaMessage(message)).toThrow(reason);
    }
  });
});
