import { exampleEvent, parseEvent, streamIdFor, utcInstant, type FieldError } from './index';

const valid = () => exampleEvent('OrderDelivered') as unknown as Record<string, unknown>;

function errorsOf(input: unknown): FieldError[] {
  const result = parseEvent(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.errors;
}

function pathsOf(input: unknown): string[] {
  return errorsOf(input).map((error) => error.path);
}

describe('event envelope', () => {
  it('accepts a complete envelope and returns it at the latest version', () => {
    const { version: _version, ...withoutVersion } = valid();
    const result = parseEvent({ ...withoutVersion, causationId: 'cmd-1', actor: { id: 'agent-7' } });
    expect(result).toEqual({ ok: true, event: { ...valid(), version: 1, causationId: 'cmd-1', actor: { id: 'agent-7' } } });
  });

  it('rejects ids that are not UUIDs', () => {
    expect(errorsOf({ ...valid(), id: 'order-1' })).toEqual([{ path: 'id', message: 'must be a UUID' }]);
    expect(pathsOf({ ...valid(), id: 42 })).toEqual(['id']);
  });

  it.each([
    ['no offset', '2024-03-01T10:00:00'],
    ['impossible day', '2023-02-29T10:00:00Z'],
    ['month 13', '2024-13-01T10:00:00Z'],
    ['hour 24', '2024-03-01T24:00:00Z'],
    ['a date only', '2024-03-01'],
    ['words', 'yesterday'],
    ['epoch millis', 1709287200000],
    ['year 0000, which no read model can store', '0000-01-01T00:00:00Z'],
    ['an offset beyond PostgreSQL’s ±15:59', '2024-01-01T00:00:00+16:00'],
    ['a negative offset beyond ±15:59', '2024-01-01T00:00:00-23:59'],
    ['an instant in UTC year 10000', '9999-12-31T23:00:00-02:00'],
    ['an instant in UTC year 1899', '1900-01-01T00:30:00+01:00'],
  ])('rejects occurredAt with %s', (_case, occurredAt) => {
    expect(pathsOf({ ...valid(), occurredAt })).toEqual(['occurredAt']);
  });

  it('accepts occurredAt with Z, an offset or fractional seconds', () => {
    for (const occurredAt of ['2024-02-29T10:00:00Z', '2024-03-01T10:00:00+01:00', '2024-03-01T10:00:00.123-05:30', '2024-03-01T10:00:00+15:59', '9999-12-31T12:00:00+02:00']) {
      expect(parseEvent({ ...valid(), occurredAt }).ok).toBe(true);
    }
  });

  it('reads occurredAt as one UTC instant with microseconds, whatever its spelling', () => {
    for (const occurredAt of ['2024-01-01T10:00:00Z', '2024-01-01T10:00:00.000Z', '2024-01-01T11:00:00+01:00', '2023-12-31T23:30:00-10:30']) {
      expect(utcInstant(occurredAt)).toBe('2024-01-01T10:00:00.000000Z');
    }
    expect(utcInstant('2024-01-01T10:00:00.1234567+01:00')).toBe('2024-01-01T09:00:00.123457Z');
    expect(utcInstant('2024-12-31T23:59:59.9999999Z')).toBe('2025-01-01T00:00:00.000000Z');
    expect(() => utcInstant('2024-01-01 10:00')).toThrow(RangeError);
  });

  it('needs exactly one of customerId and anonymousId', () => {
    const { customerId: _customer, ...neither } = valid();
    expect(errorsOf(neither)).toEqual([{ path: 'customerId', message: 'customerId or anonymousId is required' }]);
    expect(errorsOf({ ...valid(), anonymousId: 'anon-1' })).toEqual([
      { path: 'anonymousId', message: 'give either customerId or anonymousId, not both' },
    ]);
    const visitor = parseEvent({ ...neither, anonymousId: 'anon-1' });
    expect(visitor.ok && visitor.event.anonymousId).toBe('anon-1');
  });

  it('reports a missing subject together with other field errors', () => {
    const { customerId: _customer, ...neither } = valid();
    expect(pathsOf({ ...neither, source: '' })).toEqual(['source', 'customerId']);
  });

  it.each([
    ['whitespace', 'cust 1'],
    ['a control character', 'cust\u00011'],
    ['a slash', 'cust/1'],
    ['nothing', ''],
    ['129 characters', 'c'.repeat(129)],
  ])('rejects a customerId with %s', (_case, customerId) => {
    expect(pathsOf({ ...valid(), customerId })).toEqual(['customerId']);
  });

  it('accepts customer ids made of the allowed characters', () => {
    const customerId = 'A-z_0.9:x@y+' + 'c'.repeat(116);
    expect(parseEvent({ ...valid(), customerId }).ok).toBe(true);
  });

  it('bounds source, correlationId and causationId', () => {
    expect(pathsOf({ ...valid(), source: 's'.repeat(101) })).toEqual(['source']);
    expect(pathsOf({ ...valid(), correlationId: 'c'.repeat(201) })).toEqual(['correlationId']);
    expect(pathsOf({ ...valid(), causationId: '' })).toEqual(['causationId']);
    expect(parseEvent({ ...valid(), source: 's'.repeat(100), causationId: 'c'.repeat(200) }).ok).toBe(true);
  });

  it('names each unknown top-level key so typos are caught', () => {
    expect(errorsOf({ ...valid(), occuredAt: '2024-03-01T10:00:00Z', extra: 1 })).toEqual([
      { path: 'occuredAt', message: 'unknown field' },
      { path: 'extra', message: 'unknown field' },
    ]);
  });

  it('says which fields are missing', () => {
    expect(errorsOf({ type: 'OrderDelivered', customerId: 'c1' })).toEqual([
      { path: 'id', message: 'required' },
      { path: 'occurredAt', message: 'required' },
      { path: 'source', message: 'required' },
      { path: 'data', message: 'required' },
    ]);
  });

  it('validates the actor', () => {
    expect(parseEvent({ ...valid(), actor: { id: 'agent-7', name: 'Priya Shah' } }).ok).toBe(true);
    expect(pathsOf({ ...valid(), actor: { name: 'Priya' } })).toEqual(['actor.id']);
    expect(pathsOf({ ...valid(), actor: { id: 'agent-7', role: 'lead' } })).toEqual(['actor.role']);
    expect(pathsOf({ ...valid(), actor: 'agent-7' })).toEqual(['actor']);
  });

  it('treats a missing version as the latest and rejects versions that do not exist', () => {
    expect(parseEvent({ ...valid(), version: 1 }).ok).toBe(true);
    expect(errorsOf({ ...valid(), version: 2 })).toEqual([
      { path: 'version', message: 'unknown version 2 of OrderDelivered (latest is 1)' },
    ]);
    for (const version of [0, -1, 1.5, '1', null]) {
      expect(errorsOf({ ...valid(), version })).toEqual([{ path: 'version', message: 'must be a positive integer' }]);
    }
  });

  it('rejects unknown and missing types without listing the catalogue', () => {
    expect(errorsOf({ ...valid(), type: 'OrderTeleported' })).toEqual([
      { path: 'type', message: "unknown event type 'OrderTeleported'" },
    ]);
    expect(errorsOf({ ...valid(), type: 'constructor' })).toEqual([{ path: 'type', message: "unknown event type 'constructor'" }]);
    expect(errorsOf({ ...valid(), type: undefined })).toEqual([{ path: 'type', message: 'required' }]);
    expect(errorsOf({ ...valid(), type: 7 })).toEqual([{ path: 'type', message: 'must be a string' }]);
    const [longType] = errorsOf({ ...valid(), type: 'X'.repeat(10_000) });
    expect(longType.message.length).toBeLessThan(130);
  });

  it.each([null, undefined, 42, 'OrderPlaced', [valid()], true])('rejects %p as a whole', (input) => {
    expect(errorsOf(input)).toEqual([{ path: '', message: 'expected an event object' }]);
  });

  it('names the stream after the customer or the visitor', () => {
    expect(streamIdFor({ customerId: 'cust-1001' })).toBe('customer-cust-1001');
    expect(streamIdFor({ anonymousId: 'anon-5b1e77' })).toBe('visitor-anon-5b1e77');
  });
});
