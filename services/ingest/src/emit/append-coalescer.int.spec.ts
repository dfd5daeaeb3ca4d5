import { randomUUID } from 'node:crypto';
import { createPostgresEventStore, type PostgresEventStore, type StreamAppend } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { AppendCoalescer } from './append-coalescer';

const event = (label: string) => ({ id: randomUUID(), type: 'Tested', data: { label } });

describe('AppendCoalescer on the PostgreSQL store', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let calls: number[];

  beforeAll(async () => {
    database = await createTestDatabase('coalescer');
    store = await createPostgresEventStore({ connectionString: database.url });
    const appendMany = store.appendMany.bind(store);
    store.appendMany = (appends: readonly StreamAppend[]) => {
      calls.push(appends.reduce((sum, append) => sum + append.events.length, 0));
      return appendMany(appends);
    };
  });
  beforeEach(() => (calls = []));
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('sends concurrent requests together and gives each its own results', async () => {
    const coalescer = new AppendCoalescer(store, { maxInFlight: 1 });
    const requests = Array.from({ length: 40 }, (_, index) => [{ streamId: `customer-c${index}`, expectedRevision: 'any' as const, events: [event(`e${index}`)] }]);
    const results = await Promise.all(requests.map((appends) => coalescer.appendMany(appends)));

    expect(results.map(([result]) => [result.streamId, result.events[0].id, result.events[0].revision])).toEqual(
      requests.map(([append]) => [append.streamId, append.events[0].id, 0]),
    );
    expect(calls.reduce((sum, count) => sum + count, 0)).toBe(40);
    expect(calls.length).toBeLessThan(40);
    expect(calls[0]).toBe(1); // an idle store gets the first request at once
  });

  it('keeps requests to the same stream apart and in arrival order', async () => {
    const coalescer = new AppendCoalescer(store, { maxInFlight: 1 });
    const requests = Array.from({ length: 10 }, (_, index) => [{ streamId: 'customer-same', expectedRevision: 'any' as const, events: [event(`s${index}`)] }]);
    await Promise.all(requests.map((appends) => coalescer.appendMany(appends)));
    expect(calls).toEqual(Array(10).fill(1));
    expect((await store.readStream('customer-same')).map((stored) => (stored.data as { label: string }).label)).toEqual(
      requests.map((_, index) => `s${index}`),
    );
  });

  it("does not let one request's conflict fail the requests sent with it", async () => {
    const coalescer = new AppendCoalescer(store, { maxInFlight: 1 });
    await store.append('customer-taken', [event('first')]);
    const blocker = coalescer.appendMany([{ streamId: 'customer-b0', expectedRevision: 'any', events: [event('b')] }]);
    const failing = coalescer.appendMany([{ streamId: 'customer-taken', expectedRevision: 'no_stream', events: [event('x')] }]);
    const fine = coalescer.appendMany([{ streamId: 'customer-fine', expectedRevision: 'any', events: [event('y')] }]);
    await blocker;
    await expect(failing).rejects.toMatchObject({ code: 'CONCURRENCY' });
    expect((await fine)[0].events[0].duplicate).toBe(false);
    expect(await store.readStream('customer-fine')).toHaveLength(1);
  });
});
