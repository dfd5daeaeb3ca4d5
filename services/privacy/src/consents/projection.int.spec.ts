import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { startPrivacy, type Privacy } from '../privacy';
import { checkConsents, readConsents, readViolations } from './queries';

let sequence = 0;
const fact = (type: string, customerId: string, occurredAt: string, data: Record<string, unknown>) =>
  ({ id: `51000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`, type, version: 1, customerId, occurredAt, source: 'crm', data }) as Envelope<string, unknown> & { customerId: string };
const consent = (customerId: string, at: string, channel: string, granted: boolean) => fact('ConsentChanged', customerId, at, { purpose: 'marketing', channel, granted });
const campaign = (customerId: string, at: string, channel: string) => fact('MessageSent', customerId, at, { channel, direction: 'outbound', campaign: 'spring-sale' });

describe('consents read model', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let privacy: Privacy;
  const emit = async (...events: ReturnType<typeof fact>[]) => {
    for (const event of events) await store.append(streamIdFor(event), [toStoredEvent(event, event.occurredAt)]);
    await privacy.projections.settled();
  };

  beforeAll(async () => {
    database = await createTestDatabase('privacy_consents');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4, pollIntervalMs: 10 });
    privacy = await startPrivacy({ store, databaseUrl: database.url, batchSize: 3 });
  }, 60_000);

  afterAll(async () => {
    await privacy?.stop();
    await store?.close();
    await database?.drop();
  });

  it('keeps the history and answers for an instant: the latest change for the channel or for any decides', async () => {
    await emit(
      consent('c-a', '2030-01-01T00:00:00Z', 'email', true),
      consent('c-a', '2030-02-01T00:00:00Z', 'email', false),
      consent('c-b', '2030-01-15T00:00:00Z', 'any', true),
      consent('c-b', '2030-03-01T00:00:00Z', 'sms', false),
    );
    const a = await readConsents(privacy.db, 'c-a');
    expect(a.history.map((change) => [change.channel, change.granted])).toEqual([['email', true], ['email', false]]);
    expect(a.current).toEqual([expect.objectContaining({ purpose: 'marketing', channel: 'email', granted: false, occurredAt: '2030-02-01T00:00:00.000Z' })]);

    const inJanuary = await checkConsents(privacy.db, 'marketing', 'email', ['c-a', 'c-b', 'c-none'], '2030-01-20T00:00:00Z');
    expect(Object.fromEntries(inJanuary)).toEqual({ 'c-a': true, 'c-b': true, 'c-none': false });
    const inMarch = await checkConsents(privacy.db, 'marketing', 'sms', ['c-a', 'c-b'], '2030-03-02T00:00:00Z');
    expect(Object.fromEntries(inMarch)).toEqual({ 'c-a': false, 'c-b': false });
  });

  it('a campaign message without consent at its instant is a violation; a consent arriving late but given earlier clears it', async () => {
    const early = campaign('c-a', '2030-01-10T00:00:00Z', 'email');
    const late = campaign('c-a', '2030-02-10T00:00:00Z', 'email');
    const toB = campaign('c-b', '2030-03-05T00:00:00Z', 'sms');
    const chat = campaign('c-c', '2030-03-05T00:00:00Z', 'chat');
    const service = fact('MessageSent', 'c-c', '2030-03-05T00:00:00Z', { channel: 'email', direction: 'outbound', subject: 'Your order' });
    await emit(early, late, toB, chat, service);
    const first = await readViolations(privacy.db, { limit: 10 });
    expect(first.violations.map((violation) => violation.eventId)).toEqual([late.id, toB.id, chat.id]);

    // c-c agreed to marketing on any channel before the chat message; the fact is only now known.
    await emit(consent('c-c', '2030-03-01T00:00:00Z', 'any', true));
    const after = await readViolations(privacy.db, { limit: 10 });
    expect(after.violations.map((violation) => violation.eventId)).toEqual([late.id, toB.id]);
    expect(after.violations[0]).toMatchObject({ customerId: 'c-a', channel: 'email', campaign: 'spring-sale', occurredAt: '2030-02-10T00:00:00.000Z' });

    const paged = await readViolations(privacy.db, { limit: 1 });
    expect(paged.nextCursor).not.toBeNull();
    const next = await readViolations(privacy.db, { limit: 1, afterPosition: Number(paged.nextCursor) });
    expect(next.violations.map((violation) => violation.eventId)).toEqual([toB.id]);
  });

  it('a rebuild gives the same rows', async () => {
    const report = await privacy.projections.verify('consents');
    expect(report.differences).toEqual([]);
    expect(report.equal).toBe(true);
  });
});
