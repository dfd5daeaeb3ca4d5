import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '../errors';
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, RecordedEvent } from '../event-store';

export interface OpenedStore {
  store: EventStore;
  cleanup(): Promise<void>;
}

/** Events for tests: `n` events of `type`, each with a fresh id and its index in `data`. */
export function someEvents(n: number, type = 'Tested'): EventToAppend[] {
  return Array.from({ length: n }, (_, index) => ({ id: randomUUID(), type, data: { index }, metadata: { source: 'contract' } }));
}

/** Collects what a subscription delivers until `until` holds (or a generous deadline passes). */
export async function collect(
  store: EventStore,
  until: (events: RecordedEvent[]) => boolean,
  from?: string,
): Promise<RecordedEvent[]> {
  const received: RecordedEvent[] = [];
  let done!: () => void;
  const reached = new Promise<void>((resolve) => (done = resolve));
  const subscription = store.subscribeToAll({
    from,
    batchSize: 7,
    onEvents: async (events) => {
      received.push(...events);
      if (until(received)) done();
    },
  });
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
  await Promise.race([reached, deadline, subscription.closed]);
  await subscription.stop();
  return received;
}

/**
 * The behaviour every EventStore adapter owes its callers. Each adapter's spec file calls
 * this with a factory for a fresh, empty store.
 */
export function describeEventStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`EventStore contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: EventStore;
    const stream = (label: string) => `contract${label}-${randomUUID()}`;

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });
    afterAll(async () => opened?.cleanup());

    describe('append and read a stream', () => {
      it('numbers a new stream from revision 0 with increasing global positions', async () => {
        const id = stream('new');
        const events = someEvents(3);
        const result = await store.append(id, events, 'no_stream');
        expect(result.nextExpectedRevision).toBe(2);
        expect(result.events.map((event) => [event.id, event.revision, event.duplicate])).toEqual(events.map((event, index) => [event.id, index, false]));
        const positions = result.events.map((event) => event.position);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(new Set(positions).size).toBe(3);

        const read = await store.readStream(id);
        expect(read.map((event) => [event.id, event.type, event.revision, event.data])).toEqual(
          events.map((event, index) => [event.id, 'Tested', index, { index }]),
        );
        expect(read[0].metadata).toEqual({ source: 'contract' });
        expect(new Date(read[0].recordedAt).toISOString()).toBe(read[0].recordedAt);
      });

      it('reads backwards, from a revision, and a bounded count', async () => {
        const id = stream('read');
        await store.append(id, someEvents(5));
        expect((await store.readStream(id, { direction: 'backwards' })).map((event) => event.revision)).toEqual([4, 3, 2, 1, 0]);
        expect((await store.readStream(id, { direction: 'backwards', fromRevision: 2, maxCount: 2 })).map((event) => event.revision)).toEqual([2, 1]);
        expect((await store.readStream(id, { fromRevision: 3 })).map((event) => event.revision)).toEqual([3, 4]);
        expect((await store.readStream(id, { maxCount: 2 })).map((event) => event.revision)).toEqual([0, 1]);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(stream('missing'))).toEqual([]);
      });
    });

    describe('expected revision', () => {
      const cases: Array<[string, ExpectedRevision | ((last: number) => ExpectedRevision), boolean, boolean]> = [
        // label, expected, stream exists beforehand, append succeeds
        ['any on a missing stream', 'any', false, true],
        ['any on an existing stream', 'any', true, true],
        ['no_stream on a missing stream', 'no_stream', false, true],
        ['no_stream on an existing stream', 'no_stream', true, false],
        ['stream_exists on a missing stream', 'stream_exists', false, false],
        ['stream_exists on an existing stream', 'stream_exists', true, true],
        ['the exact current revision', (last) => last, true, true],
        ['a stale revision', (last) => last - 1, true, false],
        ['a revision ahead of the stream', (last) => last + 1, true, false],
        ['revision 0 on a missing stream', 0, false, false],
      ];

      it.each(cases)('%s', async (_label, expected, exists, succeeds) => {
        const id = stream('expected');
        const last = exists ? (await store.append(id, someEvents(2))).nextExpectedRevision : -1;
        const revision = typeof expected === 'function' ? expected(last) : expected;
        const attempt = store.append(id, someEvents(1), revision);
        if (succeeds) {
          expect((await attempt).nextExpectedRevision).toBe(last + 1);
        } else {
          const error = await attempt.then(() => undefined, (caught: unknown) => caught);
          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ code: 'CONCURRENCY', streamId: id, actual: last });
          expect(await store.readStream(id)).toHaveLength(exists ? 2 : 0);
        }
      });
    });

    it('an append of no events still checks the expectation and reports the revision', async () => {
      const id = stream('empty');
      await store.append(id, someEvents(2));
      expect((await store.append(id, [], 'stream_exists')).nextExpectedRevision).toBe(1);
      await expect(store.append(id, [], 'no_stream')).rejects.toMatchObject({ code: 'CONCURRENCY', actual: 1 });
      expect((await store.append(stream('none'), [], 'no_stream')).nextExpectedRevision).toBe(-1);
    });

    describe('idempotency by event id', () => {
      it('re-appending the same ids stores nothing and returns the original positions', async () => {
        const id = stream('idem');
        const events = someEvents(3);
        const first = await store.append(id, events, 'no_stream');
        // A retry with a now-stale expected revision is still recognised as the same append.
        const again = await store.append(id, events, 'no_stream');
        expect(again.events.map((event) => [event.id, event.revision, event.position, event.duplicate])).toEqual(
          first.events.map((event) => [event.id, event.revision, event.position, true]),
        );
        expect(again.nextExpectedRevision).toBe(2);
        expect(await store.readStream(id)).toHaveLength(3);
      });

      it('stores only the new events of a partly repeated append', async () => {
        const id = stream('partly');
        const [a, b] = someEvents(2);
        const first = await store.append(id, [a]);
        const second = await store.append(id, [a, b]);
        expect(second.events.map((event) => [event.id, event.revision, event.duplicate])).toEqual([
          [a.id, 0, true],
          [b.id, 1, false],
        ]);
        expect(second.events[0].position).toBe(first.events[0].position);
        expect((await store.readStream(id)).map((event) => event.id)).toEqual([a.id, b.id]);
      });

      it('stores an event once when the same append races with itself', async () => {
        const id = stream('race');
        const events = someEvents(4);
        const results = await Promise.all(Array.from({ length: 8 }, () => store.append(id, events)));
        const positions = results.map((result) => result.events.map((event) => event.position).join());
        expect(new Set(positions).size).toBe(1);
        expect(results.flatMap((result) => result.events).filter((event) => !event.duplicate)).toHaveLength(4);
        expect(await store.readStream(id)).toHaveLength(4);
      });
    });

    describe('idempotency keys reused for other content', () => {
      const hashed = (events: EventToAppend[], hash: (index: number) => string | undefined) =>
        events.map((event, index) => ({ ...event, contentHash: hash(index) }));
      const outcome = (result: AppendResult) => result.events.map((event) => [event.id, event.duplicate, event.differentContent]);

      it('reports a re-sent id with the same content hash as a plain duplicate', async () => {
        const id = stream('samehash');
        const events = hashed(someEvents(2), (index) => `hash-${index}`);
        await store.append(id, events);
        expect(outcome(await store.append(id, events))).toEqual(events.map((event) => [event.id, true, false]));
      });

      it('flags a re-sent id with another content hash, keeps the original and still stores the new events', async () => {
        const id = stream('otherhash');
        const [a, b] = hashed(someEvents(2), () => 'first');
        const first = await store.append(id, [a]);
        const second = await store.append(id, [{ ...a, data: { changed: true }, contentHash: 'second' }, b]);
        expect(outcome(second)).toEqual([
          [a.id, true, true],
          [b.id, false, false],
        ]);
        expect([second.events[0].revision, second.events[0].position]).toEqual([0, first.events[0].position]);
        const stored = await store.readStream(id);
        expect(stored.map((event) => [event.id, event.data])).toEqual([
          [a.id, { index: 0 }],
          [b.id, { index: 1 }],
        ]);
        expect(stored[0].metadata).toEqual({ source: 'contract' });
      });

      it('treats an event stored without a hash, or re-sent without one, as the same content', async () => {
        const id = stream('nohash');
        const [legacy, hashedFirst] = someEvents(2);
        await store.append(id, [legacy, { ...hashedFirst, contentHash: 'stored' }]);
        const again = await store.append(id, [{ ...legacy, contentHash: 'now' }, hashedFirst]);
        expect(outcome(again)).toEqual([
          [legacy.id, true, false],
          [hashedFirst.id, true, false],
        ]);
      });
    });

    describe('concurrent writers', () => {
      it('20 appenders with "any" lose and duplicate nothing', async () => {
        const id = stream('any20');
        const batches = Array.from({ length: 20 }, () => someEvents(5));
        await Promise.all(batches.map((events) => store.append(id, events, 'any')));
        const stored = await store.readStream(id);
        expect(stored.map((event) => event.revision)).toEqual(Array.from({ length: 100 }, (_, index) => index));
        expect(new Set(stored.map((event) => event.id))).toEqual(new Set(batches.flat().map((event) => event.id)));
        for (const events of batches) {
          // each append stays contiguous and in order
          const revisions = events.map((event) => stored.findIndex((candidate) => candidate.id === event.id));
          expect(revisions).toEqual(revisions.map((_, index) => revisions[0] + index));
        }
      });

      it('20 appenders with exact revisions: one winner per revision, losers retry until all land', async () => {
        const id = stream('exact20');
        let conflicts = 0;
        const writer = async (events: EventToAppend[]) => {
          for (;;) {
            const current = await store.readStream(id, { direction: 'backwards', maxCount: 1 });
            const expected: ExpectedRevision = current.length === 0 ? 'no_stream' : current[0].revision;
            try {
              return await store.append(id, events, expected);
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error;
              conflicts++;
            }
          }
        };
        const batches = Array.from({ length: 20 }, () => someEvents(2));
        await Promise.all(batches.map(writer));
        const stored = await store.readStream(id);
        expect(stored.map((event) => event.revision)).toEqual(Array.from({ length: 40 }, (_, index) => index));
        expect(new Set(stored.map((event) => event.id)).size).toBe(40);
        expect(conflicts).toBeGreaterThan(0);
      });
    });

    describe('appendMany', () => {
      it('appends to several streams and reports each', async () => {
        const [x, y] = [stream('manyx'), stream('manyy')];
        const results = await store.appendMany([
          { streamId: x, expectedRevision: 'no_stream', events: someEvents(2) },
          { streamId: y, expectedRevision: 'any', events: someEvents(1) },
        ]);
        expect(results.map((result) => [result.streamId, result.nextExpectedRevision, result.events.length])).toEqual([
          [x, 1, 2],
          [y, 0, 1],
        ]);
        expect(await store.readStream(y)).toHaveLength(1);
      });

      it('writes nothing anywhere when one stream conflicts, where atomic', async () => {
        const [x, y] = [stream('atomx'), stream('atomy')];
        await store.append(y, someEvents(1));
        const attempt = store.appendMany([
          { streamId: x, expectedRevision: 'no_stream', events: someEvents(2) },
          { streamId: y, expectedRevision: 'no_stream', events: someEvents(1) },
        ]);
        await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(x)).toHaveLength(store.atomicAcrossStreams ? 0 : 2);
      });
    });

    describe('global log', () => {
      it('reads after a position, bounded, and knows its head', async () => {
        const id = stream('all');
        const appended = await store.append(id, someEvents(4));
        const first = appended.events[0].position;
        const head = await store.headPosition();
        expect(head).toBeGreaterThanOrEqual(appended.events[3].position);
        const read = await store.readAll({ afterPosition: first, maxCount: 3 });
        expect(read).toHaveLength(3);
        expect(read[0].position).toBeGreaterThan(first);
        expect(read.map((event) => event.position)).toEqual([...read.map((event) => event.position)].sort((a, b) => a - b));
      });

      it('a subscription delivers everything, then resumes after a checkpoint, then sees live appends', async () => {
        const id = stream('sub');
        const written = (await store.append(id, someEvents(10))).events.map((event) => event.id);
        const all = await collect(store, (events) => written.every((wanted) => events.some((event) => event.id === wanted)));
        const mine = all.filter((event) => event.streamId === id);
        expect(mine.map((event) => event.id)).toEqual(written);
        expect(new Set(all.map((event) => event.id)).size).toBe(all.length);

        const resumeAt = mine[4].checkpoint;
        const rest = await collect(store, (events) => events.some((event) => event.id === written[9]), resumeAt);
        expect(rest.filter((event) => event.streamId === id).map((event) => event.id)).toEqual(written.slice(5));

        const live = collect(store, (events) => events.some((event) => event.streamId === id && event.revision === 10), mine[9].checkpoint);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const [late] = someEvents(1);
        await store.append(id, [late]);
        expect((await live).map((event) => event.id)).toContain(late.id);
      });

      it('closes with the handler error when a handler fails', async () => {
        await store.append(stream('fail'), someEvents(1));
        const subscription = store.subscribeToAll({
          onEvents: async () => {
            throw new Error('handler broke');
          },
        });
        await expect(subscription.closed).rejects.toThrow('handler broke');
      });
    });
  });
}
