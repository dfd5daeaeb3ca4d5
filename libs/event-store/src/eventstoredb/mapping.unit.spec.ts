import { randomUUID } from 'node:crypto';
import { NO_STREAM, WrongExpectedVersionError, type RecordedEvent as ClientRecordedEvent } from '@eventstore/db-client';
import { ConcurrencyError, InvalidAppendError } from '../errors';
import { expectedRevisionHolds, type ExpectedRevision } from '../event-store';
import {
  comparePositions,
  decodeCheckpoint,
  encodeCheckpoint,
  fromClientRevision,
  isSystemEvent,
  toClientRevision,
  toRecordedEvent,
  toStoreError,
  validateAppends,
} from './mapping';

describe('expected revision', () => {
  it.each<[ExpectedRevision, number, boolean]>([
    ['any', -1, true],
    ['any', 7, true],
    ['no_stream', -1, true],
    ['no_stream', 0, false],
    ['stream_exists', -1, false],
    ['stream_exists', 0, true],
    [3, 3, true],
    [3, 2, false],
    [3, 4, false],
    [0, -1, false],
  ])('%s against a stream at %i holds: %s', (expected, tail, holds) => {
    expect(expectedRevisionHolds(expected, tail)).toBe(holds);
  });

  it('conditions the append on the revision that was looked at', () => {
    expect(toClientRevision(-1)).toBe(NO_STREAM);
    expect(toClientRevision(0)).toBe(0n);
    expect(toClientRevision(41)).toBe(41n);
  });

  it('reads the client revision back, -1 for no stream', () => {
    expect(fromClientRevision(NO_STREAM)).toBe(-1);
    expect(fromClientRevision(undefined)).toBe(-1);
    expect(fromClientRevision(12n)).toBe(12);
  });
});

describe('error mapping', () => {
  it('turns WrongExpectedVersionError into ConcurrencyError with the actual revision', () => {
    const wrong = new WrongExpectedVersionError(undefined, { streamName: 'customer-1', expected: 2n, current: 5n });
    const mapped = toStoreError(wrong, 'customer-1', 2);
    expect(mapped).toBeInstanceOf(ConcurrencyError);
    expect(mapped).toMatchObject({ code: 'CONCURRENCY', streamId: 'customer-1', expected: 2, actual: 5 });
  });

  it('reports a missing stream as actual -1 and keeps our expectation', () => {
    const wrong = new WrongExpectedVersionError(undefined, { streamName: 'customer-2', expected: 'stream_exists', current: 'no_stream' });
    expect(toStoreError(wrong, 'customer-2', 'stream_exists')).toMatchObject({ expected: 'stream_exists', actual: -1 });
  });

  it('passes other errors through untouched', () => {
    const other = new Error('unavailable');
    expect(toStoreError(other, 'customer-3', 'any')).toBe(other);
  });
});

describe('checkpoints', () => {
  it('round-trips commit and prepare positions, beyond 2^53 too', () => {
    const position = { commit: 9_007_199_254_740_993n, prepare: 9_007_199_254_740_991n };
    expect(encodeCheckpoint(position)).toBe('9007199254740993:9007199254740991');
    expect(decodeCheckpoint(encodeCheckpoint(position))).toEqual(position);
  });

  it.each(['', '12', '12:', ':3', '1:2:3', 'a:b', '-1:2'])('rejects %p', (checkpoint) => {
    expect(() => decodeCheckpoint(checkpoint)).toThrow(InvalidAppendError);
  });

  it('orders positions by commit, then prepare', () => {
    expect(comparePositions({ commit: 5n, prepare: 5n }, { commit: 6n, prepare: 1n })).toBe(-1);
    expect(comparePositions({ commit: 6n, prepare: 4n }, { commit: 6n, prepare: 3n })).toBe(1);
    expect(comparePositions({ commit: 6n, prepare: 4n }, { commit: 6n, prepare: 4n })).toBe(0);
  });
});

describe('system events', () => {
  it.each([
    ['$settings', 'Settings', true],
    ['$$customer-1', '$metadata', true],
    ['customer-1', '$>', true],
    ['customer-1', 'OrderPlaced', false],
  ])('%s / %s is a system event: %s', (streamId, type, system) => {
    expect(isSystemEvent({ streamId, type })).toBe(system);
  });
});

describe('validateAppends', () => {
  const event = () => ({ id: randomUUID(), type: 'OrderPlaced', data: {} });

  it('accepts a well-formed request', () => {
    expect(() => validateAppends([{ streamId: 'customer-1', expectedRevision: 0, events: [event(), event()] }])).not.toThrow();
  });

  it.each([
    ['an empty stream id', [{ streamId: ' ', expectedRevision: 'any' as const, events: [event()] }], /stream id/],
    ['a system stream', [{ streamId: '$all', expectedRevision: 'any' as const, events: [event()] }], /reserved/],
    ['a bad uuid', [{ streamId: 's', expectedRevision: 'any' as const, events: [{ id: 'nope', type: 'T', data: {} }] }], /not a UUID/],
    ['a system type', [{ streamId: 's', expectedRevision: 'any' as const, events: [{ id: randomUUID(), type: '$>', data: {} }] }], /type/],
    ['a negative revision', [{ streamId: 's', expectedRevision: -1, events: [event()] }], /revision/],
    ['a fractional revision', [{ streamId: 's', expectedRevision: 1.5, events: [event()] }], /revision/],
  ])('rejects %s', (_label, appends, message) => {
    expect(() => validateAppends(appends)).toThrow(message);
  });

  it('rejects an id used twice across streams and a stream named twice, before writing anything', () => {
    const shared = event();
    expect(() =>
      validateAppends([
        { streamId: 'a', expectedRevision: 'any', events: [shared] },
        { streamId: 'b', expectedRevision: 'any', events: [{ ...shared, id: shared.id.toUpperCase() }] },
      ]),
    ).toThrow(/appears twice/);
    expect(() =>
      validateAppends([
        { streamId: 'a', expectedRevision: 'any', events: [event()] },
        { streamId: 'a', expectedRevision: 'any', events: [event()] },
      ]),
    ).toThrow(/appears twice/);
  });
});

describe('toRecordedEvent', () => {
  const recorded = (overrides: Partial<ClientRecordedEvent> = {}) =>
    ({
      streamId: 'customer-9',
      id: 'A1B2C3D4-0000-4000-8000-000000000001',
      isJson: true,
      revision: 4n,
      type: 'OrderPlaced',
      created: new Date('2024-03-01T10:00:00.123Z'),
      data: { orderId: 'o-1' },
      metadata: { source: 'shop' },
      position: { commit: 1_234n, prepare: 1_230n },
      ...overrides,
    }) as ClientRecordedEvent;

  it('maps revision, commit position, checkpoint, ISO time and JSON payloads', () => {
    expect(toRecordedEvent(recorded())).toEqual({
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      type: 'OrderPlaced',
      streamId: 'customer-9',
      revision: 4,
      position: 1234,
      data: { orderId: 'o-1' },
      metadata: { source: 'shop' },
      recordedAt: '2024-03-01T10:00:00.123Z',
      checkpoint: '1234:1230',
    });
  });

  it('falls back to the commit position of the read, and to empty metadata', () => {
    const event = toRecordedEvent(recorded({ position: undefined, metadata: undefined }), 77n);
    expect([event.position, event.checkpoint, event.metadata]).toEqual([77, '77:77', {}]);
  });

  it('refuses an event without any position rather than invent one', () => {
    expect(() => toRecordedEvent(recorded({ position: undefined }))).toThrow(/position/);
  });
});
