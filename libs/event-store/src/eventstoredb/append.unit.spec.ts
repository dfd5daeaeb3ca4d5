import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  NO_STREAM,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendToStreamOptions,
  type EventData,
  type EventStoreDBClient,
  type JSONType,
  type ReadStreamOptions,
  type RecordedEvent as ClientRecordedEvent,
} from '@eventstore/db-client';
import { ConcurrencyError } from '../errors';
import type { EventToAppend } from '../event-store';
import { StreamAppender } from './append';
import { toRecordedEvent } from './mapping';

/**
 * EventStoreDB cannot run here, so this stands in for it: streams with revisions, one global log,
 * expected-revision checks, and the server's own idempotency for a retry at the same expected revision.
 */
class FakeServer {
  readonly streams = new Map<string, ClientRecordedEvent[]>();
  appendCalls = 0;
  private log = 0;
  /** Runs once just before the next append reaches the "server": another process's write. */
  interleave: (() => void) | undefined;

  readonly client = {
    readStream: (streamId: string, options: ReadStreamOptions = {}) => {
      const stored = this.streams.get(streamId);
      const backwards = options.direction === 'backwards';
      const from = typeof options.fromRevision === 'bigint' ? Number(options.fromRevision) : backwards ? Infinity : 0;
      const selected = (stored ?? [])
        .filter((event) => (backwards ? Number(event.revision) <= from : Number(event.revision) >= from))
        .sort((a, b) => (backwards ? -1 : 1) * Number(a.revision - b.revision))
        .slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
      const read = Readable.from(
        (async function* () {
          if (!stored) throw new StreamNotFoundError(undefined, streamId);
          for (const event of selected) yield { event };
        })(),
      );
      return Object.assign(read, { cancel: async () => void read.destroy() });
    },
    appendToStream: async (streamId: string, events: EventData[], options: AppendToStreamOptions = {}) => {
      this.appendCalls++;
      const interleave = this.interleave;
      this.interleave = undefined;
      interleave?.();
      const stored = this.streams.get(streamId) ?? [];
      const tail = stored.length - 1;
      const expected = options.expectedRevision === NO_STREAM ? -1 : Number(options.expectedRevision);
      if (expected !== tail) {
        const retried = stored.slice(expected + 1, expected + 1 + events.length);
        if (retried.length === events.length && retried.every((event, index) => event.id === events[index].id)) {
          return { success: true, nextExpectedRevision: BigInt(expected + events.length) };
        }
        const current = tail === -1 ? NO_STREAM : BigInt(tail);
        throw new WrongExpectedVersionError(undefined, { streamName: streamId, expected: BigInt(expected), current });
      }
      this.write(streamId, events);
      return { success: true, nextExpectedRevision: BigInt(tail + events.length) };
    },
  } as unknown as EventStoreDBClient;

  write(streamId: string, events: Array<Pick<EventData, 'id' | 'type' | 'data' | 'metadata'>>): void {
    const stored = this.streams.get(streamId) ?? [];
    for (const event of events) {
      this.log += 100;
      stored.push({
        streamId,
        id: event.id,
        isJson: true,
        revision: BigInt(stored.length),
        type: event.type,
        created: new Date(),
        data: event.data,
        metadata: event.metadata,
        position: { commit: BigInt(this.log), prepare: BigInt(this.log) },
      } as ClientRecordedEvent);
    }
    this.streams.set(streamId, stored);
  }
}

const someEvents = (n: number): EventToAppend[] =>
  Array.from({ length: n }, (_, index) => ({ id: randomUUID(), type: 'Tested', data: { index }, metadata: { source: 'unit' } }));

describe('StreamAppender', () => {
  let server: FakeServer;
  let appender: StreamAppender;
  beforeEach(() => {
    server = new FakeServer();
    appender = new StreamAppender(server.client);
  });

  it('writes new events and reports their revisions and log positions', async () => {
    const events = someEvents(2);
    const result = await appender.append('customer-1', events, 'no_stream');
    expect(result).toEqual({
      streamId: 'customer-1',
      nextExpectedRevision: 1,
      events: [
        { id: events[0].id, streamId: 'customer-1', revision: 0, position: 100, duplicate: false, differentContent: false },
        { id: events[1].id, streamId: 'customer-1', revision: 1, position: 200, duplicate: false, differentContent: false },
      ],
    });
  });

  it('answers a late retry with the original revisions and positions, whatever it expects, writing nothing', async () => {
    const events = someEvents(3);
    const first = await appender.append('customer-1', events, 'no_stream');
    await appender.append('customer-1', someEvents(5), 'any');
    const calls = server.appendCalls;

    const retry = await appender.append('customer-1', events, 'no_stream');
    expect(retry.events).toEqual(first.events.map((event) => ({ ...event, duplicate: true })));
    expect(retry.nextExpectedRevision).toBe(7);
    expect([server.appendCalls, server.streams.get('customer-1')!.length]).toEqual([calls, 8]);
  });

  it('writes only the new events of a partly repeated append and checks the expectation against them', async () => {
    const [a, b] = someEvents(2);
    await appender.append('customer-1', [a], 'no_stream');
    const second = await appender.append('customer-1', [a, b], 0);
    expect(second.events.map((event) => [event.revision, event.duplicate])).toEqual([[0, true], [1, false]]);
    await expect(appender.append('customer-1', [a, ...someEvents(1)], 'no_stream')).rejects.toMatchObject({ actual: 1 });
  });

  it.each([
    ['no_stream', 1],
    ['stream_exists', -1],
    [5, 1],
  ] as const)('raises ConcurrencyError for %p with the actual revision', async (expected, actual) => {
    const streamId = actual === -1 ? 'customer-empty' : 'customer-1';
    if (actual >= 0) await appender.append(streamId, someEvents(2), 'any');
    const error = await appender.append(streamId, someEvents(1), expected).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId, expected, actual });
  });

  it('stores an append racing with itself once: one caller writes, the others see duplicates', async () => {
    const events = someEvents(4);
    const results = await Promise.all(Array.from({ length: 6 }, () => appender.append('customer-1', events, 'any')));
    expect(server.streams.get('customer-1')).toHaveLength(4);
    expect(results.flatMap((result) => result.events).filter((event) => !event.duplicate)).toHaveLength(4);
    expect(new Set(results.map((result) => result.events.map((event) => event.position).join()))).toEqual(
      new Set([results[0].events.map((event) => event.position).join()]),
    );
  });

  it('retries "any" after another process appended between its read and its write', async () => {
    server.interleave = () => server.write('customer-1', [{ id: randomUUID(), type: 'Other', data: {}, metadata: {} }]);
    const result = await appender.append('customer-1', someEvents(1), 'any');
    expect(result.events.map((event) => event.revision)).toEqual([1]);
    expect(server.appendCalls).toBe(2);
  });

  it('fails an exact expectation that another process invalidated between read and write', async () => {
    await appender.append('customer-1', someEvents(1), 'any');
    server.interleave = () => server.write('customer-1', [{ id: randomUUID(), type: 'Other', data: {}, metadata: {} }]);
    await expect(appender.append('customer-1', someEvents(1), 0)).rejects.toMatchObject({ code: 'CONCURRENCY', expected: 0, actual: 1 });
  });

  it('recognises its own ids written by another process between read and write as duplicates', async () => {
    const events = someEvents(2);
    const copies = events.map((event) => ({ id: event.id, type: event.type, data: event.data as JSONType, metadata: {} }));
    server.interleave = () => server.write('customer-1', [{ id: randomUUID(), type: 'Other', data: {}, metadata: {} }, ...copies]);
    const result = await appender.append('customer-1', events, 'any');
    expect(result.events.map((event) => [event.revision, event.duplicate])).toEqual([[1, true], [2, true]]);
    expect(server.streams.get('customer-1')).toHaveLength(3);
  });

  it('stores the content hash in the metadata, hands the metadata back without it, and flags a reused id', async () => {
    const [a, b] = someEvents(2);
    await appender.append('customer-1', [{ ...a, contentHash: 'first' }], 'any');
    expect(server.streams.get('customer-1')![0].metadata).toEqual({ source: 'unit', $contentHash: 'first' });

    const same = await appender.append('customer-1', [{ ...a, contentHash: 'first' }], 'any');
    expect(same.events.map((event) => [event.duplicate, event.differentContent])).toEqual([[true, false]]);
    const reused = await appender.append('customer-1', [{ ...a, contentHash: 'second' }, b], 'any');
    expect(reused.events.map((event) => [event.revision, event.duplicate, event.differentContent])).toEqual([
      [0, true, true],
      [1, false, false],
    ]);
    const written = server.streams.get('customer-1')!;
    expect(written.map((event) => event.metadata)).toEqual([{ source: 'unit', $contentHash: 'first' }, { source: 'unit' }]);
    expect(toRecordedEvent(written[0]).metadata).toEqual({ source: 'unit' });
  });

  it('counts an event stored or re-sent without a hash as the same content', async () => {
    const [legacy, hashed] = someEvents(2);
    await appender.append('customer-1', [legacy, { ...hashed, contentHash: 'stored' }], 'any');
    const again = await appender.append('customer-1', [{ ...legacy, contentHash: 'now' }, hashed], 'any');
    expect(again.events.map((event) => [event.duplicate, event.differentContent])).toEqual([
      [true, false],
      [true, false],
    ]);
  });
});
