import { exampleEvent, exampleEvents } from '@rapport/contracts';
import { ValidationError, type FieldError } from '@rapport/platform';
import { MAX_BATCH_EVENTS, parseBatchRequest, parseEmitRequest } from './emit-request';

function errorsOf(parse: () => unknown): readonly FieldError[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const withId = (index: number) => ({ ...exampleEvent('OrderPlaced'), id: `10000000-0000-4000-8000-${String(index).padStart(12, '0')}` });

describe('parseEmitRequest', () => {
  it('returns the event at its latest version', () => {
    const { version: _version, ...input } = exampleEvent('OrderPlaced');
    expect(parseEmitRequest(input)).toMatchObject({ type: 'OrderPlaced', version: 1, data: { orderId: 'ord-536365' } });
  });

  it('names the bad field', () => {
    expect(errorsOf(() => parseEmitRequest({ ...exampleEvent('OrderPlaced'), id: 'not-a-uuid' }))).toEqual([
      { path: 'id', message: 'must be a UUID' },
    ]);
  });
});

describe('parseBatchRequest', () => {
  it('accepts 1 to 1,000 events in order', () => {
    const events = exampleEvents();
    expect(parseBatchRequest({ events }).map((event) => event.id)).toEqual(events.map((event) => event.id));
    const full = Array.from({ length: MAX_BATCH_EVENTS }, (_, index) => withId(index));
    expect(parseBatchRequest({ events: full })).toHaveLength(MAX_BATCH_EVENTS);
  });

  it.each([
    ['null', null, [{ path: '', message: 'expected an object { "events": [ ... ] }' }]],
    ['an array', [], [{ path: '', message: 'expected an object { "events": [ ... ] }' }]],
    ['no events', {}, [{ path: 'events', message: 'required' }]],
    ['events not an array', { events: {} }, [{ path: 'events', message: 'must be an array of events' }]],
    ['no event in events', { events: [] }, [{ path: 'events', message: 'must hold at least 1 event' }]],
    ['an unknown key', { events: [withId(1)], dryRun: true }, [{ path: 'dryRun', message: 'unknown field' }]],
  ])('rejects a body with %s', (_name, body, expected) => {
    expect(errorsOf(() => parseBatchRequest(body))).toEqual(expected);
  });

  it('rejects more than 1,000 events without parsing them', () => {
    const events = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => ({}));
    expect(errorsOf(() => parseBatchRequest({ events }))).toEqual([{ path: 'events', message: 'must hold at most 1000 events, got 1001' }]);
  });

  it('lists every bad item with its index', () => {
    const events = [withId(0), { ...withId(1), occurredAt: 'yesterday' }, withId(2), { ...withId(3), type: 'OrderTeleported' }];
    expect(errorsOf(() => parseBatchRequest({ events }))).toEqual([
      { index: 1, path: 'occurredAt', message: 'must be an ISO-8601 date-time with Z or an offset' },
      { index: 3, path: 'type', message: "unknown event type 'OrderTeleported'" },
    ]);
  });

  it('rejects an id used twice in one batch, ignoring case', () => {
    const first = withId(7);
    const events = [first, withId(8), { ...withId(9), id: first.id.toUpperCase() }];
    expect(errorsOf(() => parseBatchRequest({ events }))).toEqual([
      { index: 2, path: 'id', message: 'same id as event 0 of this batch; each event needs its own id' },
    ]);
  });

  it('caps the list of unknown top-level keys', () => {
    const body: Record<string, unknown> = { events: [withId(1)] };
    for (let key = 0; key < 60_000; key++) body[`k${key}`] = 1;
    const errors = errorsOf(() => parseBatchRequest(body));
    expect(errors).toHaveLength(201);
    expect(errors[0]).toEqual({ path: 'k0', message: 'unknown field' });
    expect(errors[200]).toEqual({ path: '', message: 'and 59800 more errors' });
  });

  it('caps the number of reported errors', () => {
    const events = Array.from({ length: 500 }, () => ({ type: 'OrderPlaced' }));
    const errors = errorsOf(() => parseBatchRequest({ events }));
    expect(errors).toHaveLength(201);
    expect(errors[200]!.message).toMatch(/^and \d+ more errors$/);
  });
});
