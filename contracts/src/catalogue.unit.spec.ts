import fc from 'fast-check';
import { decidingService, EMITTABLE_EVENT_TYPES, EVENT_TYPES, exampleEvent, exampleEvents, LOYALTY_EVENT_TYPES, parseEvent, SEGMENT_EVENT_TYPES, type EventType, type FieldError } from './index';

function withData(type: EventType, change: (data: Record<string, unknown>) => void): unknown {
  const event = exampleEvent(type) as unknown as { data: Record<string, unknown> };
  change(event.data);
  return event;
}

function errorsOf(input: unknown): FieldError[] {
  const result = parseEvent(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.errors;
}

const pathsOf = (input: unknown) => errorsOf(input).map((error) => error.path);

describe('event catalogue', () => {
  it('has a valid example of every event type, all for one customer', () => {
    const examples = exampleEvents();
    // The cases, privacy and identity services' own decisions are never emitted, so no emitter example carries them.
    expect(new Set(examples.map((event) => event.type))).toEqual(new Set(EMITTABLE_EVENT_TYPES));
    expect(new Set(examples.map((event) => event.customerId))).toEqual(new Set(['cust-1001']));
    for (const example of examples) {
      expect(parseEvent(example)).toEqual({ ok: true, event: example });
    }
  });

  it('lists the catalogue types', () => {
    expect([...EVENT_TYPES].sort()).toEqual(
      [
        'CallbackCancelled', 'CallbackCompleted', 'CallbackRequested', 'CallbackScheduled',
        'ComplaintAssigned', 'ComplaintEscalated', 'ComplaintFiled', 'ComplaintReopened', 'ComplaintResolved', 'ComplaintResponded',
        'ConsentChanged', 'CustomEventTracked', 'CustomerIdentified', 'CustomersMerged', 'CustomersUnmerged', 'CustomerProfileUpdated', 'CustomerRegistered', 'FeedbackGiven', 'MessageSent',
        'OrderCancelled', 'OrderDelivered', 'OrderPlaced', 'OrderReturned', 'OrderShipped', 'VisitRecorded',
        'SlaBreached', 'SlaBreachWithdrawn', 'CustomerErased',
      ].sort(),
    );
  });

  it('refuses CustomerErased from emitters: only the erasure API erases', () => {
    const erasure = { id: '00000000-0000-4000-8000-00000000e001', type: 'CustomerErased', customerId: 'c-1', occurredAt: '2030-01-01T00:00:00Z', source: 'shop', data: { reason: 'asked' } };
    expect(parseEvent(erasure)).toEqual({ ok: false, errors: [{ path: 'type', message: 'CustomerErased is decided through the erasure API (POST /v1/customers/{id}/erasure) and cannot be emitted' }] });
  });

  it('refuses SlaBreached from emitters: only the cases service decides breaches', () => {
    const breach = {
      ...exampleEvents()[0],
      type: 'SlaBreached',
      data: { caseKind: 'complaint', caseId: 'cmp-42', metric: 'first_response', dueAt: '2024-03-01T10:00:00Z', at: '2024-03-01T10:00:00Z' },
    };
    expect(parseEvent(breach)).toEqual({ ok: false, errors: [{ path: 'type', message: 'SlaBreached is decided by the cases service and cannot be emitted' }] });
  });

  it('refuses every decided type by one rule, naming the service each family declares', () => {
    const base = exampleEvents()[0];
    const withdrawn = { ...base, type: 'SlaBreachWithdrawn', data: { caseKind: 'callback', caseId: 'cb-1', metric: 'callback', dueAt: '2024-03-01T10:00:00Z', at: '2024-03-01T11:00:00Z', reason: 'met' } };
    expect(parseEvent(withdrawn)).toEqual({ ok: false, errors: [{ path: 'type', message: 'SlaBreachWithdrawn is decided by the cases service and cannot be emitted' }] });
    expect(parseEvent({ ...base, type: 'TierChanged' })).toEqual({ ok: false, errors: [{ path: 'type', message: 'TierChanged is decided by the loyalty service and cannot be emitted' }] });
    const decided = [...EVENT_TYPES, ...LOYALTY_EVENT_TYPES, ...SEGMENT_EVENT_TYPES].filter((type) => decidingService(type) !== undefined);
    expect(Object.fromEntries(decided.map((type) => [type, decidingService(type)]))).toEqual({
      CustomerErased: 'privacy',
      CustomersMerged: 'timeline',
      CustomersUnmerged: 'timeline',
      SlaBreached: 'cases',
      SlaBreachWithdrawn: 'cases',
      ...Object.fromEntries(LOYALTY_EVENT_TYPES.map((type) => [type, 'loyalty'])),
      CustomerSegmentChanged: 'segments',
    });
    expect(EMITTABLE_EVENT_TYPES.filter((type) => decidingService(type) !== undefined)).toEqual([]);
    expect(EMITTABLE_EVENT_TYPES).toContain('MessageSent');
  });

  it('points at the order line that is wrong', () => {
    const event = withData('OrderPlaced', (data) => {
      const lines = data.lines as Record<string, unknown>[];
      lines[1].quantity = -2;
      lines[1].unitPrice = 3.1;
      lines[0].colour = 'white';
    });
    expect(errorsOf(event)).toEqual([
      { path: 'data.lines.0.colour', message: 'unknown field' },
      { path: 'data.lines.1.quantity', message: 'must be at least 1' },
      { path: 'data.lines.1.unitPrice', message: 'must be an integer amount in minor units' },
    ]);
  });

  it('keeps money in integer minor units with an ISO currency', () => {
    expect(pathsOf(withData('OrderPlaced', (data) => (data.total = 33.9)))).toEqual(['data.total']);
    expect(pathsOf(withData('OrderPlaced', (data) => (data.total = -1)))).toEqual(['data.total']);
    expect(pathsOf(withData('OrderPlaced', (data) => (data.total = '3390')))).toEqual(['data.total']);
    expect(pathsOf(withData('OrderPlaced', (data) => (data.currency = 'gbp')))).toEqual(['data.currency']);
    expect(pathsOf(withData('OrderReturned', (data) => (data.refundAmount = 6.2)))).toEqual(['data.refundAmount']);
    expect(pathsOf(withData('ComplaintResolved', (data) => (data.compensation = { amount: 5, currency: 'EURO' })))).toEqual([
      'data.compensation.currency',
    ]);
  });

  it('does not check the total against the lines, since real totals carry rounding', () => {
    expect(parseEvent(withData('OrderPlaced', (data) => (data.total = 1))).ok).toBe(true);
  });

  it('needs at least one order line', () => {
    expect(pathsOf(withData('OrderPlaced', (data) => (data.lines = [])))).toEqual(['data.lines']);
    expect(pathsOf(withData('OrderReturned', (data) => delete data.lines))).toEqual(['data.lines']);
  });

  it('reports missing, mistyped and unknown data fields by path', () => {
    expect(errorsOf(withData('OrderShipped', (data) => delete data.orderId))).toEqual([
      { path: 'data.orderId', message: 'required' },
    ]);
    expect(pathsOf(withData('ComplaintFiled', (data) => (data.severity = 'apocalyptic')))).toEqual(['data.severity']);
    expect(pathsOf(withData('VisitRecorded', (data) => (data.pages = '6')))).toEqual(['data.pages']);
    expect(pathsOf(withData('ConsentChanged', (data) => (data.granted = 'yes')))).toEqual(['data.granted']);
    expect(pathsOf(withData('MessageSent', (data) => (data.channel = 'pigeon')))).toEqual(['data.channel']);
    expect(pathsOf(withData('OrderDelivered', (data) => (data.deliveredTo = 'porch')))).toEqual(['data.deliveredTo']);
    expect(pathsOf({ ...exampleEvent('OrderDelivered'), data: [] })).toEqual(['data']);
  });

  it('bounds free text', () => {
    expect(pathsOf(withData('ComplaintFiled', (data) => (data.summary = 'x'.repeat(2001))))).toEqual(['data.summary']);
    expect(pathsOf(withData('CallbackCancelled', (data) => (data.reason = 'line one\nline two')))).toEqual(['data.reason']);
    expect(parseEvent(withData('ComplaintResponded', (data) => (data.message = 'Hello,\nthanks.'))).ok).toBe(true);
  });

  it('needs a rating or an NPS score in feedback, each in range', () => {
    expect(errorsOf(withData('FeedbackGiven', (data) => (delete data.rating, delete data.nps)))).toEqual([
      { path: 'data.rating', message: 'rating or nps is required' },
    ]);
    expect(parseEvent(withData('FeedbackGiven', (data) => delete data.rating)).ok).toBe(true);
    expect(parseEvent(withData('FeedbackGiven', (data) => delete data.nps)).ok).toBe(true);
    expect(pathsOf(withData('FeedbackGiven', (data) => (data.rating = 6)))).toEqual(['data.rating']);
    expect(pathsOf(withData('FeedbackGiven', (data) => (data.nps = 11)))).toEqual(['data.nps']);
    expect(pathsOf(withData('FeedbackGiven', (data) => (data.rating = 4.5)))).toEqual(['data.rating']);
  });

  it('checks the callback window and times', () => {
    const window = (preferredWindow: unknown) => withData('CallbackRequested', (data) => (data.preferredWindow = preferredWindow));
    expect(pathsOf(window({ from: '19:00', to: '17:00' }))).toEqual(['data.preferredWindow.to']);
    expect(pathsOf(window({ from: '9:00', to: '17:00' }))).toEqual(['data.preferredWindow.from']);
    expect(pathsOf(window({ from: '09:00', to: '17:00', date: '2024-02-30' }))).toEqual(['data.preferredWindow.date']);
    expect(pathsOf(withData('CallbackScheduled', (data) => (data.scheduledFor = 'tomorrow 5pm')))).toEqual([
      'data.scheduledFor',
    ]);
    expect(pathsOf(withData('CallbackRequested', (data) => (data.phone = '07700 900123')))).toEqual(['data.phone']);
    expect(pathsOf(withData('CallbackCompleted', (data) => (data.outcome = 'great')))).toEqual(['data.outcome']);
  });

  it('takes profile changes, with null clearing a field, but not an empty change', () => {
    expect(parseEvent(withData('CustomerProfileUpdated', (data) => (data.country = null))).ok).toBe(true);
    expect(errorsOf({ ...exampleEvent('CustomerProfileUpdated'), data: {} })).toEqual([
      { path: 'data', message: 'at least one profile field is required' },
    ]);
    expect(pathsOf(withData('CustomerRegistered', (data) => (data.country = 'United Kingdom')))).toEqual(['data.country']);
    expect(pathsOf(withData('CustomerRegistered', (data) => (data.email = 'not-an-email')))).toEqual(['data.email']);
  });

  it('caps the number of errors it reports', () => {
    const lines = Array.from({ length: 200 }, () => ({ sku: 'A1', quantity: 0, unitPrice: 1 }));
    const errors = errorsOf(withData('OrderPlaced', (data) => (data.lines = lines)));
    expect(errors).toHaveLength(51);
    expect(errors[50]).toEqual({ path: '', message: 'and 150 more errors' });
  });
});

describe('parseEvent on hostile input', () => {
  const hostile = fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  });

  const isWellFormed = (result: ReturnType<typeof parseEvent>) =>
    result.ok
      ? typeof result.event.type === 'string'
      : result.errors.length > 0 && result.errors.every((e) => typeof e.path === 'string' && typeof e.message === 'string');

  it('never throws on arbitrary values', () => {
    fc.assert(fc.property(hostile, (input) => isWellFormed(parseEvent(input))), { numRuns: 2000 });
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (input) => !parseEvent(input).ok));
  });

  it('never throws when any field of a valid event is replaced by anything', () => {
    const examples = exampleEvents();
    const mutated = fc
      .tuple(fc.nat(examples.length - 1), fc.string(), fc.boolean(), hostile)
      .map(([index, key, inData, value]) => {
        const event = structuredClone(examples[index]) as unknown as Record<string, Record<string, unknown>>;
        const target = inData ? event.data : event;
        const keys = Object.keys(target);
        target[keys.includes(key) || key === '' ? key : keys[key.length % keys.length]] = value as never;
        return event;
      });
    fc.assert(fc.property(mutated, (input) => isWellFormed(parseEvent(input))), { numRuns: 2000 });
  });

  it('gives back an event that parses to itself', () => {
    fc.assert(
      fc.property(fc.constantFrom(...exampleEvents()), fc.constantFrom(undefined, 1), (example, version) => {
        const first = parseEvent({ ...example, version });
        return first.ok && JSON.stringify(parseEvent(first.event)) === JSON.stringify(first);
      }),
    );
  });

  it('survives deep nesting, throwing getters and proxies', () => {
    let deep: unknown = {};
    for (let depth = 0; depth < 100_000; depth++) deep = { data: deep, lines: [deep] };
    expect(parseEvent(deep).ok).toBe(false);
    expect(parseEvent({ ...exampleEvent('OrderPlaced'), data: deep }).ok).toBe(false);

    const trap = Object.defineProperty({ ...exampleEvent('OrderDelivered') }, 'source', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    expect(parseEvent(trap)).toEqual({ ok: false, errors: [{ path: '', message: 'could not read the event: boom' }] });
    const proxy = new Proxy({}, { get: () => { throw new Error('no'); }, ownKeys: () => { throw new Error('no'); } });
    expect(parseEvent(proxy).ok).toBe(false);
    const throwsUnprintable = new Proxy({}, { get: () => { throw Object.create(null); } });
    expect(parseEvent(throwsUnprintable)).toEqual({
      ok: false,
      errors: [{ path: '', message: 'could not read the event: an unprintable value was thrown' }],
    });
  });
});

describe('strings PostgreSQL cannot store', () => {
  /** Every string leaf of an event, as [dotted path, value]. */
  function stringLeaves(value: unknown, path: string[] = []): Array<[string[], string]> {
    if (typeof value === 'string') return [[path, value]];
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, [...path, key]));
  }

  function withLeaf(event: unknown, path: readonly string[], value: string): unknown {
    const copy = structuredClone(event) as Record<string, unknown>;
    let target = copy;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
    target[path[path.length - 1]] = value;
    return copy;
  }

  const UNSTORABLE = ['a\u0000b', '\u0000', 'a\ud800b', '\udfff', 'x\udc00\ud83d'];

  it('rejects a NUL or an unpaired surrogate in every string field of every event, naming the field', () => {
    const cases = exampleEvents().flatMap((event) =>
      stringLeaves(event)
        .filter(([path]) => path[0] !== 'type')
        .flatMap(([path, original]) => UNSTORABLE.map((bad) => [event, path, `${original}${bad}`] as const)),
    );
    expect(cases.length).toBeGreaterThan(200);
    const unflagged = cases.filter(([event, path, bad]) => {
      const result = parseEvent(withLeaf(event, path, bad));
      return result.ok || !result.errors.some((error) => error.path === path.join('.'));
    });
    expect(unflagged.map(([event, path]) => `${event.type} ${path.join('.')}`)).toEqual([]);
  });

  it('says why, for free text that is otherwise valid', () => {
    const message = 'must not contain NUL (\\u0000) or an unpaired UTF-16 surrogate';
    expect(errorsOf(withLeaf(exampleEvent('OrderDelivered'), ['source'], 'a\ud800b'))).toEqual([{ path: 'source', message }]);
    const complaint = withData('ComplaintFiled', (data) => (data.summary = 'a\u0000b'));
    expect(errorsOf(complaint)).toEqual([{ path: 'data.summary', message }]);
  });

  it('keeps paired surrogates (emoji) and other Unicode', () => {
    const complaint = withData('ComplaintFiled', (data) => (data.summary = 'Cracked 😀 glass — ünïcödé ✓'));
    expect(parseEvent(complaint).ok).toBe(true);
  });
});
