import { z } from 'zod';
import { createEventRegistry, defineEvent, InvalidEventError, toStoredEvent } from './index';

// A registry that exists only here, to show how a type grows new versions:
// v1 → v2 renames `card` to `cardNumber` and adds `tier`;
// v2 → v3 adds `awardedAt`, taken from the envelope's occurredAt.
const pointsV1 = z.strictObject({ card: z.string(), points: z.number().int() });
const pointsV2 = z.strictObject({ cardNumber: z.string(), points: z.number().int(), tier: z.enum(['basic', 'gold']) });
const pointsV3 = pointsV2.extend({ awardedAt: z.string() });

const registry = createEventRegistry({
  PointsAwarded: defineEvent(pointsV1)
    .withVersion(pointsV2, (v1) => ({ cardNumber: v1.card, points: v1.points, tier: 'basic' as const }))
    .withVersion(pointsV3, (v2, header) => ({ ...v2, awardedAt: header.occurredAt })),
  NoteAdded: defineEvent(z.strictObject({ note: z.string() })),
});

const envelope = {
  id: '7d8f2c1e-4b7a-4c3e-9d2a-1f0e5b6c7d8e',
  customerId: 'cust-1',
  occurredAt: '2024-05-01T12:00:00Z',
  source: 'loyalty',
};

const v1Data = { card: 'LC-1', points: 120 };
const latestData = { cardNumber: 'LC-1', points: 120, tier: 'basic', awardedAt: '2024-05-01T12:00:00Z' };

describe('event versions and upcasting', () => {
  it('records every version and its upcasters', () => {
    const entry = registry.entry('PointsAwarded')!;
    expect(entry.versions).toEqual([1, 2, 3]);
    expect(entry.latest).toBe(3);
    expect(Object.keys(entry.schemas)).toEqual(['1', '2', '3']);
    expect(Object.keys(entry.upcasters)).toEqual(['1', '2']);
    expect(registry.entry('NoteAdded')!.versions).toEqual([1]);
  });

  it('reads input without a version as the latest version', () => {
    const result = registry.parseEvent({ ...envelope, type: 'PointsAwarded', data: latestData });
    expect(result).toEqual({ ok: true, event: { ...envelope, type: 'PointsAwarded', version: 3, data: latestData } });
    expect(registry.parseEvent({ ...envelope, type: 'PointsAwarded', data: v1Data })).toEqual({
      ok: false,
      errors: [
        { path: 'data.cardNumber', message: 'required' },
        { path: 'data.tier', message: 'required' },
        { path: 'data.awardedAt', message: 'required' },
        { path: 'data.card', message: 'unknown field' },
      ],
    });
  });

  it('validates an explicitly older version against that version and upcasts it to the latest', () => {
    const fromV1 = registry.parseEvent({ ...envelope, type: 'PointsAwarded', version: 1, data: v1Data });
    expect(fromV1).toEqual({ ok: true, event: { ...envelope, type: 'PointsAwarded', version: 3, data: latestData } });

    const fromV2 = registry.parseEvent({
      ...envelope,
      type: 'PointsAwarded',
      version: 2,
      data: { cardNumber: 'LC-1', points: 120, tier: 'gold' },
    });
    expect(fromV2.ok && fromV2.event.data).toEqual({ ...latestData, tier: 'gold' });

    expect(registry.parseEvent({ ...envelope, type: 'PointsAwarded', version: 1, data: latestData })).toEqual({
      ok: false,
      errors: [
        { path: 'data.card', message: 'required' },
        { path: 'data.cardNumber', message: 'unknown field' },
        { path: 'data.tier', message: 'unknown field' },
        { path: 'data.awardedAt', message: 'unknown field' },
      ],
    });
  });

  it('rejects versions the type does not have', () => {
    expect(registry.parseEvent({ ...envelope, type: 'PointsAwarded', version: 4, data: latestData })).toEqual({
      ok: false,
      errors: [{ path: 'version', message: 'unknown version 4 of PointsAwarded (latest is 3)' }],
    });
  });

  it('upcasts stored old events on read, and treats events stored without a version as version 1', () => {
    const recorded = (metadata: Record<string, unknown>) => ({
      id: envelope.id,
      type: 'PointsAwarded',
      data: v1Data,
      metadata: { customerId: 'cust-1', occurredAt: envelope.occurredAt, source: 'loyalty', receivedAt: '2024-05-01T12:00:01Z', ...metadata },
      streamId: 'customer-cust-1',
      revision: 4,
      position: 99,
    });
    const expected = {
      ...envelope,
      type: 'PointsAwarded',
      version: 3,
      data: latestData,
      receivedAt: '2024-05-01T12:00:01Z',
      streamId: 'customer-cust-1',
      revision: 4,
      position: 99,
    };
    expect(registry.fromRecordedEvent(recorded({ version: 1 }))).toEqual(expected);
    expect(registry.fromRecordedEvent(recorded({}))).toEqual(expected);
    expect(() => registry.fromRecordedEvent(recorded({ version: 3 }))).toThrow(InvalidEventError);
  });

  it('round-trips a latest-version event through storage unchanged', () => {
    const parsed = registry.parseEvent({ ...envelope, type: 'PointsAwarded', version: 1, data: v1Data });
    if (!parsed.ok) throw new Error('expected a valid event');
    const stored = toStoredEvent(parsed.event, '2024-05-01T12:00:01Z');
    expect(stored.metadata.version).toBe(3);
    const read = registry.fromRecordedEvent({ ...stored, streamId: 'customer-cust-1', revision: 0, position: 1 });
    expect(read).toEqual({ ...parsed.event, receivedAt: '2024-05-01T12:00:01Z', streamId: 'customer-cust-1', revision: 0, position: 1 });
  });

  it('checks what an upcaster produced, and survives one that throws', () => {
    const broken = createEventRegistry({
      Renamed: defineEvent(z.strictObject({ a: z.string() }))
        .withVersion(z.strictObject({ b: z.string() }), (v1) => ({ a: v1.a }) as unknown as { b: string }),
      Exploding: defineEvent(z.strictObject({ a: z.string() })).withVersion(z.strictObject({ b: z.string() }), () => {
        throw new Error('upcaster bug');
      }),
    });
    expect(broken.parseEvent({ ...envelope, type: 'Renamed', version: 1, data: { a: 'x' } })).toEqual({
      ok: false,
      errors: [
        { path: 'data.b', message: 'required (after upcasting from v1)' },
        { path: 'data.a', message: 'unknown field (after upcasting from v1)' },
      ],
    });
    expect(broken.parseEvent({ ...envelope, type: 'Exploding', version: 1, data: { a: 'x' } })).toEqual({
      ok: false,
      errors: [{ path: '', message: 'could not read the event: upcaster bug' }],
    });
  });

  it('types parsed events by their latest data', () => {
    const result = registry.parseEvent({ ...envelope, type: 'PointsAwarded', version: 1, data: v1Data });
    if (!result.ok || result.event.type !== 'PointsAwarded') throw new Error('expected PointsAwarded');
    const cardNumber: string = result.event.data.cardNumber;
    expect(cardNumber).toBe('LC-1');
  });
});
