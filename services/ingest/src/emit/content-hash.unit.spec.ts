import { exampleEvent, type RapportEvent } from '@rapport/contracts';
import { contentHash } from './content-hash';

const event = exampleEvent('ComplaintFiled');
const at = (occurredAt: string) => contentHash({ ...event, occurredAt });

describe('contentHash', () => {
  it('is a SHA-256 that leaves out what may change between retries', () => {
    expect(contentHash(event)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(contentHash({ ...event, source: 'retry', correlationId: 'other', actor: { id: 'agent-2' } })).toBe(contentHash(event));
  });

  it('hashes the instant of occurredAt, not its spelling', () => {
    const spellings = [
      '2024-01-01T10:00:00Z',
      '2024-01-01T10:00:00.000Z',
      '2024-01-01T10:00:00.000000Z',
      '2024-01-01T10:00:00.0000000000Z',
      '2024-01-01T11:00:00+01:00',
      '2024-01-01T10:00:00-00:00',
      '2024-01-01T15:45:00.0+05:45',
      '2023-12-31T23:30:00-10:30',
    ];
    expect(new Set(spellings.map(at))).toEqual(new Set([at('2024-01-01T10:00:00Z')]));
  });

  it('keeps the microseconds PostgreSQL stores, and only those', () => {
    expect(at('2024-01-01T10:00:00.000001Z')).not.toBe(at('2024-01-01T10:00:00Z'));
    expect(at('2024-01-01T10:00:00.123457Z')).not.toBe(at('2024-01-01T10:00:00.123456Z'));
    expect(at('2024-01-01T11:00:00.123456+01:00')).toBe(at('2024-01-01T10:00:00.123456Z'));
    // Beyond microseconds PostgreSQL rounds, so these are the instants it keeps.
    expect(at('2024-01-01T10:00:00.1234564Z')).toBe(at('2024-01-01T10:00:00.123456Z'));
    expect(at('2024-01-01T10:00:00.1234566Z')).toBe(at('2024-01-01T10:00:00.123457Z'));
    expect(at('2024-01-01T10:59:59.9999996+01:00')).toBe(at('2024-01-01T10:00:00Z'));
  });

  it('does not depend on the order of keys in data, at any depth', () => {
    const data = { summary: 's', detail: { b: 1, a: [{ y: 2, x: 1 }] } };
    const reordered = { detail: { a: [{ x: 1, y: 2 }], b: 1 }, summary: 's' };
    const hash = (value: unknown) => contentHash({ ...event, data: value } as RapportEvent);
    expect(hash(reordered)).toBe(hash(data));
    expect(hash({ ...data, detail: { ...data.detail, a: [{ x: 1, y: 3 }] } })).not.toBe(hash(data));
    expect(hash({ list: [1, 2] })).not.toBe(hash({ list: [2, 1] }));
  });

  it('tells the subject, type and data apart', () => {
    expect(contentHash({ ...event, customerId: 'cust-other' })).not.toBe(contentHash(event));
    expect(contentHash({ ...event, data: { ...event.data, summary: 'other' } })).not.toBe(contentHash(event));
  });
});
